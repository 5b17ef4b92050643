/* STANDIN_DEVICE_FILE=PATH: one simulated GPU shared by every process that
 * names the same file, as when a second job lands on a training job's GPU.
 * The file holds the device's "busy until" clock in CLOCK_MONOTONIC
 * nanoseconds, which all processes of one boot read alike. Each process maps
 * it MAP_SHARED and advances it with compare-and-swap, so work any of them
 * queues runs after the work the others queued before it: no lock, nothing
 * a killed process can leave held.
 *
 * Static and included by gpu_model.c alone, like standin.h: the driver is
 * built from a fixed list of .c files. */
#ifndef STANDIN_DEVICE_FILE_H
#define STANDIN_DEVICE_FILE_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "standin.h"

#define DEVICE_FILE_ENV "STANDIN_DEVICE_FILE"
/* The high half names the format ("SDEV"), the low half the boot: a clock
 * written in an earlier boot counts from another zero and would stall every
 * enqueue, so such a file is refused rather than trusted. */
#define DEVICE_FILE_MAGIC 0x5344455600000000ULL
#define DEVICE_FILE_MAGIC_MASK 0xffffffff00000000ULL

/* The whole file: a fresh, zero-filled one is a valid idle device. */
struct device_file {
	uint64_t magic;
	uint64_t busy_until;
};

static void device_file_die(const char *path, const char *what, const char *why)
{
	fprintf(stderr, "libcuda stand-in: %s=%s: %s%s%s\n", DEVICE_FILE_ENV, path, what, why ? ": " : "",
		why ? why : "");
	exit(2);
}

/* FNV-1a of the kernel's boot id; 0 where /proc does not say. */
static uint32_t device_file_boot(void)
{
	char id[64] = {0};
	uint32_t h = 2166136261u;
	ssize_t n = 0;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, id, sizeof(id) - 1);
	close(fd);
	for (ssize_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)id[i]) * 16777619u;
	return h;
}

/* Opens path, creating it readable and writable by every user. An existing
 * file is opened without O_CREAT: in a sticky world-writable directory
 * (/tmp), fs.protected_regular refuses O_CREAT on another user's file. */
static int device_file_fd(const char *path)
{
	for (;;) {
		int fd = open(path, O_RDWR | O_CLOEXEC);

		if (fd >= 0 || errno != ENOENT)
			return fd;
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			/* The umask would otherwise keep other users out. */
			(void)fchmod(fd, 0666);
			return fd;
		}
		if (errno != EEXIST)
			return fd;
	}
}

static struct device_file *device_file_open(const char *path)
{
	uint64_t want = DEVICE_FILE_MAGIC | device_file_boot(), seen = 0;
	struct device_file *d;
	struct stat st;
	int fd = device_file_fd(path);

	if (fd < 0)
		device_file_die(path, "opening", strerror(errno));
	if (fstat(fd, &st) != 0)
		device_file_die(path, "reading its size", strerror(errno));
	/* Processes that find it empty at once all extend it to the same
	 * size, which changes nothing for the later ones. */
	if (st.st_size == 0 && ftruncate(fd, sizeof(*d)) != 0)
		device_file_die(path, "sizing", strerror(errno));
	if (st.st_size != 0 && st.st_size != (off_t)sizeof(*d))
		device_file_die(path, "not a stand-in device file", "wrong size");
	d = mmap(NULL, sizeof(*d), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (d == MAP_FAILED)
		device_file_die(path, "mapping", strerror(errno));
	__atomic_compare_exchange_n(&d->magic, &seen, want, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	if (seen != 0 && seen != want) {
		if ((seen & DEVICE_FILE_MAGIC_MASK) == DEVICE_FILE_MAGIC)
			device_file_die(path, "written before the last boot", "remove it");
		device_file_die(path, "not a stand-in device file", "unknown header");
	}
	return d;
}

/* Takes ns of device time from the first moment at or after ready that no
 * other work holds, and returns when it ends. */
static uint64_t device_file_claim(struct device_file *d, uint64_t ready, uint64_t ns)
{
	uint64_t busy = __atomic_load_n(&d->busy_until, __ATOMIC_ACQUIRE), end;

	do
		end = (busy > ready ? busy : ready) + ns;
	while (!__atomic_compare_exchange_n(&d->busy_until, &busy, end, 1, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	return end;
}

#endif
