// SPDX-License-Identifier: GPL-2.0
/*
 * The port I/O bus.  Devices register the range of ports they decode (as
 * in kvmtool); an MV_EXIT_IO exit goes to the device whose range holds its
 * port.  A port no device decodes behaves like an empty ISA bus: reads
 * give all ones, writes vanish.  Those accesses are counted per port and
 * direction, and --verbose reports them (the first one of each as it
 * happens, the totals when mvrun ends).
 *
 * One lock serializes every handler, so devices need no locking of their
 * own: vCPUs take port exits rarely enough that a finer scheme buys
 * nothing.
 */
#include <stdio.h>
#include <string.h>

#include "mvrun.h"

#define MAX_IO_DEVS	16

static struct io_dev *devs[MAX_IO_DEVS];
static int nr_devs;
pthread_mutex_t io_bus_lock = PTHREAD_MUTEX_INITIALIZER;

/* Unhandled accesses: [direction][port]. */
static uint32_t unhandled[2][65536];

int io_register(struct io_dev *dev)
{
	int i;

	for (i = 0; i < nr_devs; i++) {
		struct io_dev *o = devs[i];

		if (dev->base < o->base + o->len && o->base < dev->base + dev->len) {
			fprintf(stderr, "mvrun: %s (ports %#x-%#x) overlaps %s (%#x-%#x)\n",
				dev->name, dev->base, dev->base + dev->len - 1,
				o->name, o->base, o->base + o->len - 1);
			return -1;
		}
	}
	if (nr_devs == MAX_IO_DEVS) {
		fprintf(stderr, "mvrun: too many port I/O devices (%d at most)\n",
			MAX_IO_DEVS);
		return -1;
	}
	devs[nr_devs++] = dev;
	return 0;
}

/* The set is fixed before the vCPUs run, so lookups need no lock. */
static struct io_dev *io_find(uint16_t port)
{
	int i;

	for (i = 0; i < nr_devs; i++)
		if (port >= devs[i]->base && port - devs[i]->base < devs[i]->len)
			return devs[i];
	return NULL;
}

static void count_unhandled(int dir, uint16_t port, int size)
{
	if (__atomic_fetch_add(&unhandled[dir][port], 1, __ATOMIC_RELAXED) == 0 && verbose)
		fprintf(stderr, "mvrun: unhandled %s port %#x (%d byte%s; %s, further ones are counted)\n",
			dir == MV_IO_OUT ? "OUT to" : "IN from", port, size,
			size > 1 ? "s" : "",
			dir == MV_IO_OUT ? "ignored" : "reads all ones");
}

void io_exit(struct mv_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t i, val, size = run->io.size;
	uint16_t port = run->io.port;
	struct io_dev *dev = io_find(port);

	pthread_mutex_lock(&io_bus_lock);
	for (i = 0; i < run->io.count; i++, data += size) {
		if (run->io.direction == MV_IO_IN) {
			val = dev && dev->in ? dev->in(dev, port - dev->base, size) : ~0u;
			memcpy(data, &val, size);
		} else {
			val = 0;
			memcpy(&val, data, size);
			if (dev && dev->out)
				dev->out(dev, port - dev->base, size, val);
		}
	}
	pthread_mutex_unlock(&io_bus_lock);
	if (!dev)
		count_unhandled(run->io.direction, port, size);
}

/*
 * MMIO outside RAM: nothing is there (reads give all ones, writes
 * vanish).  The first MAX_MMIO_ADDRS addresses are counted one by one,
 * the rest together.
 */
#define MAX_MMIO_ADDRS	32

static struct {
	uint64_t gpa;
	uint32_t count[2];
} mmio_seen[MAX_MMIO_ADDRS];
static int nr_mmio_seen;
static uint32_t mmio_other;

void mmio_unhandled(uint64_t gpa, uint32_t len, bool write)
{
	int i;

	pthread_mutex_lock(&io_bus_lock);
	for (i = 0; i < nr_mmio_seen && mmio_seen[i].gpa != gpa; i++)
		;
	if (i == nr_mmio_seen && nr_mmio_seen < MAX_MMIO_ADDRS)
		mmio_seen[nr_mmio_seen++].gpa = gpa;
	if (i < nr_mmio_seen) {
		if (!mmio_seen[i].count[write]++ && verbose)
			fprintf(stderr, "mvrun: unhandled MMIO %s %#llx (%u bytes; %s, further ones are counted)\n",
				write ? "write to" : "read from", (unsigned long long)gpa, len,
				write ? "ignored" : "reads all ones");
	} else {
		mmio_other++;
	}
	pthread_mutex_unlock(&io_bus_lock);
}

static void mmio_report_unhandled(void)
{
	int i;

	if (!nr_mmio_seen)
		return;
	fprintf(stderr, "mvrun: MMIO nothing handled:");
	for (i = 0; i < nr_mmio_seen; i++) {
		if (mmio_seen[i].count[0])
			fprintf(stderr, " read %#llx x%u", (unsigned long long)mmio_seen[i].gpa,
				mmio_seen[i].count[0]);
		if (mmio_seen[i].count[1])
			fprintf(stderr, " write %#llx x%u", (unsigned long long)mmio_seen[i].gpa,
				mmio_seen[i].count[1]);
	}
	if (mmio_other)
		fprintf(stderr, " (and %u more elsewhere)", mmio_other);
	fputc('\n', stderr);
}

void io_report_unhandled(void)
{
	static const char *const what[2] = { "IN", "OUT" };
	int dir, port, n = 0;

	for (dir = 0; dir < 2; dir++) {
		for (port = 0; port < 65536; port++) {
			if (!unhandled[dir][port])
				continue;
			if (!n++)
				fprintf(stderr, "mvrun: port I/O no device handled:");
			fprintf(stderr, " %s %#x x%u", what[dir], port, unhandled[dir][port]);
		}
	}
	if (n)
		fputc('\n', stderr);
	mmio_report_unhandled();
}
