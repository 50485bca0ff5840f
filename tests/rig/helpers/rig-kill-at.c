// SPDX-License-Identifier: MIT
/*
 * rig-kill-at: run a command under ptrace and kill it with SIGKILL at one
 * exact point, so a scenario hits a crash window a few microseconds wide
 * every time (audit finding 19). chaos and chaosd are static, so this
 * works at the system call level, on every thread:
 *
 *   rig-kill-at enter|exit TEXT CMD [ARGS...]
 *
 * kills CMD (the process of the thread, children followed) when one of
 * its threads enters (or returns from) a rename
 * whose new path contains TEXT: "/domains/" is where a guest's record is
 * committed. With TEXT "pwrite:WORDS", a pwrite whose data starts with
 * WORDS instead: "pwrite:sent-go" is a migration's source noting "go" in
 * its busy mark. Exits as CMD did (137 when killed).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS_MAX 256

static pid_t matched[THREADS_MAX];   /* threads inside a matching rename */
static size_t nmatched;

/* Up to len bytes at addr in the tracee, NUL-terminated, into buf. */
static bool read_tracee(pid_t tid, unsigned long long addr, size_t len,
			char *buf, size_t size)
{
	struct iovec local = { buf, size - 1 };
	struct iovec remote;
	ssize_t n;

	if (len < size - 1)
		local.iov_len = len;
	remote.iov_base = (void *)(uintptr_t)addr;
	remote.iov_len = local.iov_len;
	n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* Whether the call entered is the one text names (see the top). */
static bool call_matches(pid_t tid, const struct __ptrace_syscall_info *si,
			 const char *text)
{
	static const char pw[] = "pwrite:";
	char buf[4096];

	if (!strncmp(text, pw, sizeof(pw) - 1)) {
		text += sizeof(pw) - 1;
		return si->entry.nr == SYS_pwrite64 &&
		       read_tracee(tid, si->entry.args[1], si->entry.args[2],
				   buf, sizeof(buf)) &&
		       !strncmp(buf, text, strlen(text));
	}
	switch (si->entry.nr) {
	case SYS_rename:
		return read_tracee(tid, si->entry.args[1], sizeof(buf), buf,
				   sizeof(buf)) && strstr(buf, text);
	case SYS_renameat:
	case SYS_renameat2:
		return read_tracee(tid, si->entry.args[3], sizeof(buf), buf,
				   sizeof(buf)) && strstr(buf, text);
	default:
		return false;
	}
}

static bool take_matched(pid_t tid)
{
	for (size_t i = 0; i < nmatched; i++)
		if (matched[i] == tid) {
			matched[i] = matched[--nmatched];
			return true;
		}
	return false;
}

int main(int argc, char **argv)
{
	bool at_exit;
	const char *text;
	pid_t pid;
	int st;

	if (argc < 4 || (strcmp(argv[1], "enter") && strcmp(argv[1], "exit"))) {
		fprintf(stderr, "usage: rig-kill-at enter|exit TEXT CMD [ARGS...]\n");
		return 2;
	}
	at_exit = !strcmp(argv[1], "exit");
	text = argv[2];
	pid = fork();
	if (pid < 0) {
		perror("rig-kill-at: fork");
		return 127;
	}
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execvp(argv[3], argv + 3);
		fprintf(stderr, "rig-kill-at: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) {
		fprintf(stderr, "rig-kill-at: the child did not stop\n");
		return 127;
	}
	ptrace(PTRACE_SETOPTIONS, pid, NULL,
	       PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
	       PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
	       PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
	ptrace(PTRACE_SYSCALL, pid, NULL, NULL);
	for (;;) {
		pid_t tid = waitpid(-1, &st, __WALL);
		int sig = 0;

		if (tid < 0) {
			if (errno == EINTR)
				continue;
			return 127;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			take_matched(tid);
			if (tid != pid)
				continue;
			return WIFEXITED(st) ? WEXITSTATUS(st) :
					       128 + WTERMSIG(st);
		}
		if (!WIFSTOPPED(st))
			continue;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			struct __ptrace_syscall_info si;

			if (ptrace(PTRACE_GET_SYSCALL_INFO, tid,
				   (void *)sizeof(si), &si) > 0) {
				if (si.op == PTRACE_SYSCALL_INFO_ENTRY &&
				    call_matches(tid, &si, text)) {
					if (!at_exit)
						kill(tid, SIGKILL);
					else if (nmatched < THREADS_MAX)
						matched[nmatched++] = tid;
				} else if (si.op == PTRACE_SYSCALL_INFO_EXIT &&
					   take_matched(tid)) {
					kill(tid, SIGKILL);
				}
			}
		} else if (WSTOPSIG(st) != SIGTRAP && WSTOPSIG(st) != SIGSTOP) {
			sig = WSTOPSIG(st);   /* the program's own: pass it on */
		}
		ptrace(PTRACE_SYSCALL, tid, NULL, (void *)(long)sig);
	}
}
