# shellcheck shell=bash
# Sourced by the benchmarks (probes.sh, scale.sh).
#
# thread_ticks PID: "NAME TICKS" a line, the CPU of its threads summed by
# name (the main thread is itfollowd; itf-store and itf-journal the
# writers), in clock ticks.
thread_ticks() {
	local t stat
	for t in /proc/"$1"/task/*; do
		stat=$(cat "$t/stat" 2>/dev/null) || continue
		echo "$(cat "$t/comm") $(awk '{ print $12 + $13 }' <<<"${stat##*) }")"
	done | awk '{ n[$1] += $2 } END { for (k in n) print k, n[k] }' | sort
}
