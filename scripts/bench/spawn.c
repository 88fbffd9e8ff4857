// spawn RESULT CMD ARG...: runs CMD (stdin, stdout, stderr inherited) and writes to RESULT the line
// "exit utime_us stime_us maxrss_kb" from wait4's rusage of that one child.
//
// Why a C launcher: on Linux a child's ru_maxrss keeps the high-water mark of the process it was forked from
// (exec records the old memory map's peak), so children forked straight from the Python harness (tens of MB
// with numpy) would all report at least the harness's size. Forked from this small program instead, the floor
// is this program's own few hundred KB, which scripts/bench-codec measures (by spawning /bin/true) and prints.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: spawn RESULT CMD [ARG...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("spawn: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "spawn: cannot run %s\n", argv[2]);
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            perror("spawn: wait4");
            return 2;
        }
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror("spawn: result file");
        return 2;
    }
    fprintf(out, "%d %lld %lld %ld\n", code,
            (long long)usage.ru_utime.tv_sec * 1000000 + usage.ru_utime.tv_usec,
            (long long)usage.ru_stime.tv_sec * 1000000 + usage.ru_stime.tv_usec, usage.ru_maxrss);
    fclose(out);
    return 0;
}
