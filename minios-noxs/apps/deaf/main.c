// SPDX-License-Identifier: MIT
/*
 * deaf: connects its power device like any guest, then never answers a
 * request (each one is noted on the console). The toolstack has to give
 * up after its timeout and destroy the domain by force.
 */
#include <minios/app.h>
#include <minios/lib.h>
#include <minios/noxs.h>
#include <minios/sched.h>

int app_power_request(uint32_t request)
{
	printk("deaf: ignoring power request %u\n", request);
	return NOXS_POWER_DEFER;
}

void app_shutdown_hook(void)
{
	/* Never reached: no request is acted on. */
	printk("deaf: shutdown hook ran (it should not)\n");
}

int app_main(const char *cmdline)
{
	(void)cmdline;
	printk("deaf: %s\n", noxs_device_find(NOXS_DEV_POWER, 0) ?
		       "power device connected, will not answer" :
		       "no power device");
	printk("ready\n");
	for (;;)
		sched_block();
	return 0;
}
