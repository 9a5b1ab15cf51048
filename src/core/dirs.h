/* Directories of the state files (the journal of kept bytes, the serial-port notes). */
#ifndef STP_CORE_DIRS_H
#define STP_CORE_DIRS_H

/* mkdir -p with mode 0700 of the directory that holds path (its last component is a file
 * name). 0, or the errno of the directory that could not be made. */
int stp_make_parent_dirs(const char *path);

#endif
