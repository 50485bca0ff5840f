// SPDX-License-Identifier: MIT
/*
 * mig-mitm MODE CMD [ARG...]: a man in the middle of a migration stream.
 * Runs CMD (a chaos migrate-receive) with its stdin and stdout on pipes and
 * relays our stdin to it and its stdout to ours. The direction from CMD
 * is parsed as migration messages (16-byte header: u32 type, u32 0, u64
 * length, then the payload); the first RUNNING (type 7) is tampered with:
 *   flipmac  its last payload byte (the MAC's) flipped;
 *   retype   its type rewritten to DONE (8).
 * Or the direction to CMD, an unkeyed live migration:
 *   avx512   the live stream's CPU record (after its header and MEMORY,
 *            in the first IMAGE_PARTs) gets AVX512F (CPUID leaf 7:0 ebx
 *            bit 16), which no emulated CPU has.
 * Everything else passes untouched. For the split-brain and CPU
 * scenarios.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUNNING 7
#define DONE 8
#define IMAGE_PART 9
/* In the live stream: header 32, MEMORY 16 + 16, CPU's header 16, then
 * its head 32 and 160 leaves of 24 bytes. */
#define LEAVES_AT (32 + 32 + 16 + 32)
#define LEAVES_END (LEAVES_AT + 160 * 24)

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

/*
 * The direction to CMD in avx512 mode: messages pass as they come, but
 * IMAGE_PARTs are held until the stream's first LEAVES_END bytes are in,
 * then patched where leaf 7:0's ebx is and let go.
 */
struct to_cmd {
	uint8_t hdr[16];
	size_t have;		/* of hdr */
	uint32_t type;		/* of the current message */
	uint64_t left;		/* payload bytes of the current message */
	int hold;		/* the current message is held */
	uint8_t *held;		/* held messages, as they came */
	size_t held_len;
	size_t img_at[LEAVES_END];	/* image byte -> where in held */
	size_t img_len;
	int done;
};

static void patch_and_flush(struct to_cmd *t, int fd)
{
	for (unsigned int i = 0; i < 160; i++) {
		size_t e = LEAVES_AT + (size_t)i * 24;
		uint8_t v[24];
		uint32_t leaf, subleaf;

		for (size_t k = 0; k < 24; k++)
			v[k] = t->held[t->img_at[e + k]];
		memcpy(&leaf, v, 4);
		memcpy(&subleaf, v + 4, 4);
		if (leaf != 7 || subleaf != 0)
			continue;
		/* ebx is bytes 12..15 of the leaf; bit 16 is in byte 14. */
		t->held[t->img_at[e + 14]] |= 1;
		fprintf(stderr, "mig-mitm: AVX512F set in the CPU record\n");
		break;
	}
	if (write_all(fd, t->held, t->held_len))
		fprintf(stderr, "mig-mitm: the receiver is gone\n");
	free(t->held);
	t->held = NULL;
	t->done = 1;
}

static void hold(struct to_cmd *t, const uint8_t *p, size_t n, int payload)
{
	t->held = realloc(t->held, t->held_len + n);
	if (!t->held)
		exit(1);
	memcpy(t->held + t->held_len, p, n);
	for (size_t i = 0; payload && i < n && t->img_len < LEAVES_END; i++)
		t->img_at[t->img_len++] = t->held_len + i;
	t->held_len += n;
}

/* n bytes of the stream to CMD; 0, or -1 when CMD is gone. */
static int to_cmd(struct to_cmd *t, const uint8_t *p, size_t n, int fd)
{
	while (n && !t->done) {
		size_t take;

		if (!t->left && t->have < 16) {
			take = 16 - t->have < n ? 16 - t->have : n;
			memcpy(t->hdr + t->have, p, take);
			t->have += take;
			p += take;
			n -= take;
			if (t->have < 16)
				break;
			t->have = 0;
			memcpy(&t->type, t->hdr, 4);
			memcpy(&t->left, t->hdr + 8, 8);
			t->hold = t->held || t->type == IMAGE_PART;
			if (t->hold)
				hold(t, t->hdr, 16, 0);
			else if (write_all(fd, t->hdr, 16))
				return -1;
			continue;
		}
		take = t->left < n ? (size_t)t->left : n;
		if (t->hold)
			hold(t, p, take, t->type == IMAGE_PART);
		else if (write_all(fd, p, take))
			return -1;
		p += take;
		n -= take;
		t->left -= take;
		if (!t->left && t->hold && t->img_len >= LEAVES_END)
			patch_and_flush(t, fd);
	}
	return n && write_all(fd, p, n) ? -1 : 0;
}

int main(int argc, char **argv)
{
	int to_child[2], from_child[2], flip, cpu, tampered = 0;
	static struct to_cmd t;
	uint8_t hdr[16], buf[65536];
	size_t have = 0;
	uint64_t left = 0;	/* payload bytes of the current message */
	uint32_t type = 0;
	pid_t pid;

	if (argc < 3 || (strcmp(argv[1], "flipmac") && strcmp(argv[1], "retype") &&
			 strcmp(argv[1], "avx512"))) {
		fprintf(stderr, "usage: mig-mitm flipmac|retype|avx512 CMD [ARG...]\n");
		return 2;
	}
	flip = !strcmp(argv[1], "flipmac");
	cpu = !strcmp(argv[1], "avx512");
	/* A receiver that refuses stops reading: what it says is still to
	 * be relayed. */
	signal(SIGPIPE, SIG_IGN);
	/* Only RUNNING is looked at in the other modes. */
	t.done = !cpu;
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
			} else if (to_cmd(&t, buf, (size_t)n, to_child[1])) {
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
			if (type == RUNNING && !flip && !cpu && !tampered) {
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
