/*
 * The daemon's own threads beside the event loop (the RRD writer, the
 * journal's writer, the offload workers that parse feeds): named, and
 * below the loop in the scheduler's eyes.
 */
#ifndef THREAD_H
#define THREAD_H

/* How much nicer than the loop such a thread is. */
#define THREAD_BACKGROUND_NICE 10

/*
 * Name the calling thread (top -H, /proc/PID/task/TID/comm) and lower its
 * priority by THREAD_BACKGROUND_NICE: on two cores a writer busy making
 * files otherwise takes turns with the loop, which then starts hundreds
 * of probes late and at once after each turn it waited.
 */
void thread_background(const char *name);

#endif
