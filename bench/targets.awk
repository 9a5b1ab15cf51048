# The issue-6 targets, evaluated from bench/speed.sh's measurements (awk -F'\t').
# Input 1 (bounds.tsv): part kib bound erase program one_sector_bound mass_erase_bound
# Input 2 (data.tsv):   part kib probe khz case tool total erase program tail usb cpu model_cpu
# Prints one markdown bullet per target: met, or missed and by how much.

FILENAME ~ /bounds/ { fb[$1 "|" $2] = $3; ob[$1 "|" $2] = $6; mb[$1 "|" $2] = $7; next }
{
    row = $1 "|" $2 "|" $3 "@" $4
    t[row "|" $5 "|" $6] = $7
    er[row "|" $5 "|" $6] = $8
    if (!(row in rows)) order[++nrows] = row
    rows[row] = 1
    kib[row] = $2
    part[row] = $1
    if ($6 == "stprog" && $5 == "fresh") {
        cpu[row] = $12
        mcpu[row] = $13
    }
}

function verdict(ok, by) { return ok ? "**met**" : "**missed** (" by ")" }
function pct(x) { return sprintf("%.0f %%", x * 100) }
function name(r,   a) { split(r, a, "|"); return a[1] " " a[2] " KiB " a[3] }

function bound_target(r, limit, label,   s, b, x) {
    s = t[r "|fresh|stprog"]; b = fb[part[r] "|" kib[r]]
    if (s == "" || b == "") { printf "- %s: not measured (row %s missing)\n", label, name(r); return }
    x = s / b
    printf "- %s within %.2fx of the bound: %s: %.3f s vs bound %.3f s = %.3fx\n", label, limit,
        verdict(x <= limit, sprintf("%.3fx, %s over", x, pct(x / limit - 1))), s, b, x
}

END {
    f1 = "stm32f407vg|1024|v2@4000"; f3 = "stm32f407vg|1024|v3@24000"
    bound_target(f1, 1.10, "Fresh 1 MiB F407 over V2 at 4 MHz")
    bound_target(f3, 1.05, "Fresh 1 MiB F407 over V3 at 24 MHz")

    # Fresh writes: never slower than either peer; at least 1.3x faster than st-flash.
    slower = ""; nslow = 0; minsf = 1e9; minsf_row = ""; n = 0
    for (i = 1; i <= nrows; i++) {
        r = order[i]
        s = t[r "|fresh|stprog"]
        if (s == "") continue
        n++
        for (k = 1; k <= 2; k++) {
            p = (k == 1) ? "st-flash" : "openocd"
            q = t[r "|fresh|" p]
            if (q != "" && q < s) { nslow++; slower = slower sprintf(" %s vs %s (%.3f s vs %.3f s);", name(r), p, s, q) }
        }
        q = t[r "|fresh|st-flash"]
        if (q != "" && q / s < minsf) { minsf = q / s; minsf_row = name(r) }
    }
    printf "- Fresh writes never slower than either peer (%d rows): %s\n", n,
        verdict(nslow == 0, nslow " row/peer pair(s) slower:" slower)
    printf "- Fresh writes at least 1.3x faster than st-flash: %s: slowest margin %.2fx (%s)\n",
        verdict(minsf >= 1.3, sprintf("%.2fx, %s short", minsf, pct(1 - minsf / 1.3))), minsf, minsf_row

    # Identical 1 MiB re-write: < 0.5 s and peers >= 20x slower.
    for (i = 1; i <= nrows; i++) {
        r = order[i]
        if (kib[r] != 1024) continue
        s = t[r "|same|stprog"]
        if (s == "") continue
        worst = 1e9; wp = ""
        for (k = 1; k <= 2; k++) {
            p = (k == 1) ? "st-flash" : "openocd"
            q = t[r "|same|" p]
            if (q != "" && q / s < worst) { worst = q / s; wp = p }
        }
        printf "- Identical re-write of 1 MiB (%s) under 0.5 s: %s: %.3f s\n", name(r),
            verdict(s < 0.5, sprintf("%.3f s over", s - 0.5)), s
        printf "- ... and at least 20x faster than the peers: %s: %.1fx (%s)\n",
            verdict(worst >= 20, sprintf("%.1fx", worst)), worst, wp
    }

    # One sector changed: < that sector's erase + program + 0.5 s; peers >= 5x slower.
    over = ""; nover = 0; minp = 1e9; minp_row = ""; n = 0; worst_s = 0; worst_row = ""
    for (i = 1; i <= nrows; i++) {
        r = order[i]
        s = t[r "|one-sector|stprog"]
        # In a 16 KiB image the changed 16 KiB are the whole image: a fresh write, not this case.
        if (s == "" || kib[r] <= 16) continue
        n++
        lim = ob[part[r] "|" kib[r]] + 0.5
        if (s >= lim) { nover++; over = over sprintf(" %s %.3f s vs %.3f s;", name(r), s, lim) }
        if (s - lim > worst_s || worst_row == "") { worst_s = s - lim; worst_row = name(r) }
        for (k = 1; k <= 2; k++) {
            p = (k == 1) ? "st-flash" : "openocd"
            q = t[r "|one-sector|" p]
            if (q != "" && q / s < minp) {
                minp = q / s; minp_row = name(r) " " p
                why = sprintf("; %s rewrote all %s KiB in %.3f s with %.3f s of erase busy time, stprog %.3f s",
                    p, kib[r], q, er[r "|one-sector|" p], s)
                if (part[r] ~ /^stm32f1/ && er[r "|one-sector|" p] < 0.1)
                    why = why sprintf(" (one 20 ms mass erase of the whole flash; the peer cannot go below the mass-erase bound %.3f s and stprog not below the changed pages' bound %.3f s, the two bounds are only %.1fx apart, so 5x needs the peer at over twice its bound)", mb[part[r] "|" kib[r]], ob[part[r] "|" kib[r]], mb[part[r] "|" kib[r]] / ob[part[r] "|" kib[r]])
            }
        }
    }
    printf "- One sector changed under its erase + program + 0.5 s (%d rows of 64 KiB and more): %s: closest %s, %.3f s %s the limit\n",
        n, verdict(nover == 0, nover " row(s) over:" over), worst_row,
        (worst_s < 0 ? -worst_s : worst_s), (worst_s < 0 ? "under" : "over")
    printf "- One sector changed at least 5x faster than either peer: %s: smallest %.1fx (%s)\n",
        verdict(minp >= 5, sprintf("%.1fx", minp)), minp, minp_row (minp < 5 ? why : "")

    # Linear growth: per-KiB cost of 1 MiB within 10 % of 512 KiB (F407, both probes).
    for (k = 1; k <= 2; k++) {
        pr = (k == 1) ? "v2@4000" : "v3@24000"
        a = t["stm32f407vg|512|" pr "|fresh|stprog"]; b = t["stm32f407vg|1024|" pr "|fresh|stprog"]
        if (a == "" || b == "") { printf "- Linear growth (%s): not measured\n", pr; continue }
        d = (b / 1024) / (a / 512) - 1
        printf "- Per-KiB cost of 1 MiB within 10 %% of 512 KiB (F407 %s): %s: %.2f ms/KiB vs %.2f ms/KiB (%+.1f %%)\n",
            pr, verdict(d <= 0.10 && d >= -0.10, sprintf("%+.1f %%", d * 100)), b / 1.024, a / 0.512, d * 100
    }

    # Host CPU: stprog's own CPU time (process user+sys minus the model's, which the shim
    # runs in the same process) vs the modelled (virtual) time.
    for (i = 1; i <= nrows; i++) {
        r = order[i]
        if (kib[r] != 1024 || cpu[r] == "") continue
        own = cpu[r] - mcpu[r]
        if (own < 0) own = 0
        x = own / t[r "|fresh|stprog"]
        printf "- Host CPU of stprog write, 1 MiB (%s) under 5 %% of the modelled time: %s: %.3f s own CPU (process %.3f s - model %.3f s) for %.3f virtual s = %.2f %%\n",
            name(r), verdict(x < 0.05, sprintf("%.2f %%", x * 100)), own, cpu[r], mcpu[r],
            t[r "|fresh|stprog"], x * 100
    }
}
