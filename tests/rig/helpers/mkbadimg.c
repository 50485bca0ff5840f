// SPDX-License-Identifier: MIT
/*
 * mkbadimg: make hostile kernel images for the bad-input scenario.
 *   mkbadimg overlap SRC.elf OUT     a second PT_LOAD over the first
 *   mkbadimg outofrange SRC.elf OUT  a segment whose bytes lie past EOF
 *   mkbadimg bzimage-lie OUT         a bzImage header whose payload lies
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < (long)sizeof(Elf64_Ehdr) ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "mkbadimg: cannot read %s\n", path);
		exit(1);
	}
	buf = malloc((size_t)n);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "mkbadimg: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "mkbadimg: cannot write %s\n", path);
		exit(1);
	}
}

static Elf64_Phdr *phdrs(unsigned char *buf, size_t len, int *n)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_phoff + (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > len) {
		fprintf(stderr, "mkbadimg: not a usable ELF64\n");
		exit(1);
	}
	*n = eh->e_phnum;
	return (Elf64_Phdr *)(buf + eh->e_phoff);
}

int main(int argc, char **argv)
{
	if (argc == 4 && (!strcmp(argv[1], "overlap") ||
			  !strcmp(argv[1], "outofrange"))) {
		size_t len;
		unsigned char *buf = slurp(argv[2], &len);
		int n, first = -1, other = -1;
		Elf64_Phdr *ph = phdrs(buf, len, &n);

		for (int i = 0; i < n; i++) {
			if (ph[i].p_type == PT_LOAD && first < 0)
				first = i;
			else if (other < 0)
				other = i;
		}
		if (first < 0) {
			fprintf(stderr, "mkbadimg: no PT_LOAD\n");
			return 1;
		}
		if (!strcmp(argv[1], "overlap")) {
			if (other < 0) {
				fprintf(stderr, "mkbadimg: no spare program header\n");
				return 1;
			}
			/* Turn a spare header into a load over the first one. */
			ph[other] = ph[first];
			ph[other].p_vaddr += 0x1000;
			ph[other].p_paddr += 0x1000;
		} else {
			ph[first].p_offset = len + 0x1000;
		}
		spit(argv[3], buf, len);
		free(buf);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "bzimage-lie")) {
		static unsigned char img[16384];

		/* Setup header at 0x1f1: setup_sects, boot flag, "HdrS",
		 * version 2.15, and a payload far beyond the file. */
		img[0x1f1] = 4;
		img[0x1fe] = 0x55;
		img[0x1ff] = 0xaa;
		memcpy(img + 0x202, "HdrS", 4);
		img[0x206] = 0x0f;
		img[0x207] = 0x02;
		img[0x248] = 0x00; /* payload_offset = 0x00100000 */
		img[0x249] = 0x00;
		img[0x24a] = 0x10;
		img[0x24c] = 0x00; /* payload_length = 0x00200000 */
		img[0x24e] = 0x20;
		spit(argv[2], img, sizeof(img));
		return 0;
	}
	fprintf(stderr, "usage: mkbadimg overlap|outofrange SRC OUT | bzimage-lie OUT\n");
	return 2;
}
