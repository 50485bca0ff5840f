// SPDX-License-Identifier: MIT
/*
 * mig-mitm MODE CMD [ARG...]: a man in the middle of a migration stream.
 * Runs CMD (a chaos migrate-receive) with its stdin and stdout on pipes and
 * relays our stdin to it and its stdout to ours. The direction from CMD
 * is parsed as migration messages (16-byte header: u32 type, u32 0, u64
 * length, then the payload); the first RUNNING (type 7) is tampered with:
 *   flipmac  its last payload byte (the MAC's) flipped;
 *   retype   its type rewritten to DONE (8).
 * Everything else passes untouched. For the split-brain scenario.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUNNING 7
#define DONE 8

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int to_child[2], from_child[2], flip, tampered = 0;
	uint8_t hdr[16], buf[65536];
	size_t have = 0;
	uint64_t left = 0;	/* payload bytes of the current message */
	uint32_t type = 0;
	pid_t pid;

	if (argc < 3 || (strcmp(argv[1], "flipmac") && strcmp(argv[1], "retype"))) {
		fprintf(stderr, "usage: mig-mitm flipmac|retype CMD [ARG...]\n");
		return 2;
	}
	flip = !strcmp(argv[1], "flipmac");
	if (pipe(to_child) || pipe(from_child))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		dup2(to_child[0], 0);
		dup2(from_child[1], 1);
		close(to_child[1]);
		close(from_child[0]);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	close(to_child[0]);
	close(from_child[1]);
	for (int open_in = 1, open_out = 1; open_out;) {
		struct pollfd p[2] = {
			{ .fd = open_in ? 0 : -1, .events = POLLIN },
			{ .fd = from_child[0], .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (open_in && (p[0].revents & (POLLIN | POLLHUP))) {
			ssize_t n = read(0, buf, sizeof(buf));

			if (n <= 0) {
				open_in = 0;
				close(to_child[1]);
			} else if (write_all(to_child[1], buf, (size_t)n)) {
				open_in = 0;
			}
		}
		if (p[1].revents & (POLLIN | POLLHUP)) {
			ssize_t n = left ? read(from_child[0], buf,
						left < sizeof(buf) ? left : sizeof(buf))
					 : read(from_child[0], hdr + have, 16 - have);

			if (n <= 0) {
				open_out = 0;
				continue;
			}
			if (left) {
				left -= (uint64_t)n;
				/* The last byte of a RUNNING's payload: its MAC's. */
				if (!left && type == RUNNING && flip && !tampered) {
					buf[n - 1] ^= 1;
					tampered = 1;
					fprintf(stderr, "mig-mitm: flipped RUNNING's last byte\n");
				}
				if (write_all(1, buf, (size_t)n))
					break;
				continue;
			}
			have += (size_t)n;
			if (have < 16)
				continue;
			have = 0;
			memcpy(&type, hdr, 4);
			memcpy(&left, hdr + 8, 8);
			if (type == RUNNING && !flip && !tampered) {
				uint32_t done = DONE;

				memcpy(hdr, &done, 4);
				tampered = 1;
				fprintf(stderr, "mig-mitm: RUNNING retyped to DONE\n");
			}
			if (write_all(1, hdr, 16))
				break;
		}
	}
	close(1);
	waitpid(pid, NULL, 0);
	return 0;
}
