// SPDX-License-Identifier: MIT
/*
 * rig-hello: prints "hello" and exits; linked statically. The floor of a
 * static program's start under the rig's emulation, beside which the CLI's
 * own start (chaos --version, also static) is measured.
 */
#include <stdio.h>

int main(void)
{
	return puts("hello") == EOF;
}
