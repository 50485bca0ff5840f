// SPDX-License-Identifier: MIT
/*
 * Seconds since 1970-01-01 UTC to a civil date: days are counted in
 * 400-year eras of the proleptic Gregorian calendar, with years starting
 * in March so that the leap day is the last day of a year.
 */
#include "compat.h"
#include "daytime_text.h"

static const char *const weekdays[] = {
	"Thursday", "Friday", "Saturday", "Sunday",
	"Monday", "Tuesday", "Wednesday",	/* 1970-01-01 was a Thursday */
};
static const char *const months[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

struct civil {
	uint64_t year;
	unsigned int month;	/* 1..12 */
	unsigned int day;	/* 1..31 */
};

static struct civil civil_from_days(uint64_t days_since_1970)
{
	/* 0000-03-01 is day 0 here; 1970-01-01 is day 719468. */
	uint64_t z = days_since_1970 + 719468;
	uint64_t era = z / 146097;
	uint64_t doe = z - era * 146097;			/* [0, 146096] */
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);	/* [0, 365] */
	uint64_t mp = (5 * doy + 2) / 153;			/* March = 0 */
	struct civil c;

	c.day = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	c.month = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	c.year = yoe + era * 400 + (c.month <= 2);
	return c;
}

static size_t put_str(char *buf, size_t n, const char *s)
{
	while (*s)
		buf[n++] = *s++;
	return n;
}

/* At least `width` digits, zero-padded. */
static size_t put_num(char *buf, size_t n, uint64_t v, unsigned int width)
{
	char digits[20];
	unsigned int count = 0;

	do {
		digits[count++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (count < width)
		digits[count++] = '0';
	while (count)
		buf[n++] = digits[--count];
	return n;
}

size_t daytime_text(uint64_t epoch_s, char *buf, size_t size)
{
	uint64_t days = epoch_s / 86400, secs = epoch_s % 86400;
	struct civil c = civil_from_days(days);
	size_t n = 0;

	/* Longest: weekday 9 + month 9 + 20-digit year + fixed 22 < 64. */
	if (size < DAYTIME_TEXT_MAX)
		return 0;
	n = put_str(buf, n, weekdays[days % 7]);
	n = put_str(buf, n, ", ");
	n = put_str(buf, n, months[c.month - 1]);
	buf[n++] = ' ';
	n = put_num(buf, n, c.day, 1);
	n = put_str(buf, n, ", ");
	n = put_num(buf, n, c.year, 4);
	buf[n++] = ' ';
	n = put_num(buf, n, secs / 3600, 2);
	buf[n++] = ':';
	n = put_num(buf, n, secs / 60 % 60, 2);
	buf[n++] = ':';
	n = put_num(buf, n, secs % 60, 2);
	n = put_str(buf, n, "-UTC\r\n");
	buf[n] = '\0';
	return n;
}
