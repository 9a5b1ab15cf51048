/* Chip database: placeholder until the table lands (see issue 2). */
#include "target/chipdb.h"
