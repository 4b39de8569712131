/* pb_afxdp_mix IFNAME SECONDS [BATCH=64] [ZEROCOPY=0] [SEED=1]
 *
 * The AF_XDP reference for bench_dataplane case (B): ../shared/bench/pb_afxdp.c's
 * sender (libxdp's xsk API, no XDP program loaded, copy mode unless ZEROCOPY), but
 * every frame has its own size, drawn uniformly from 64..1518 bytes on the wire
 * (60..1514 handed to the kernel: the range c_send_mix averages pb_sendmmsg over).
 * Each frame is the benchmark frame of ../shared/bench/pb_frame.h with its IPv4
 * total length, UDP length, IPv4 checksum and 32-bit sequence written before its
 * descriptor is posted. Prints "SENT n ELAPSED s COMPLETED n BYTES n".
 * Build: gcc -O2 -I../shared/bench -o pb_afxdp_mix pb_afxdp_mix.c -lxdp -lbpf */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>
#include "pb_frame.h"

#define NFRAMES 4096
#define FSIZE 2048
#define MIN_LEN 60
#define MAX_LEN 1514

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t rng_state;
static inline uint64_t next_random(void) /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

/* IPv4 total length, UDP length and the IPv4 checksum for a frame of len bytes */
static inline void set_len(uint8_t *f, int len)
{
    uint8_t *ip = f + 14;
    uint16_t tot = htons(len - 14), ul = htons(len - 34), zero = 0;
    memcpy(ip + 2, &tot, 2);
    memcpy(ip + 10, &zero, 2);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    uint16_t cs = htons((uint16_t)~sum);
    memcpy(ip + 10, &cs, 2);
    memcpy(ip + 24, &ul, 2);
}

static void kick(int fd) { sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0); }

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s IF SECONDS [BATCH] [ZC] [SEED]\n", argv[0]);
        return 2;
    }
    const char *ifn = argv[1];
    double secs = atof(argv[2]);
    unsigned batch = argc > 3 ? atoi(argv[3]) : 64;
    int zc = argc > 4 ? atoi(argv[4]) : 0;
    rng_state = argc > 5 ? strtoull(argv[5], NULL, 10) : 1;
    if (!rng_state) rng_state = 1;
    if (batch == 0 || batch > NFRAMES) { fprintf(stderr, "bad BATCH\n"); return 2; }
    size_t area_size = (size_t)NFRAMES * FSIZE;
    void *area = mmap(NULL, area_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) { perror("mmap"); return 1; }
    struct xsk_ring_prod fq, tx;
    struct xsk_ring_cons cq, rx;
    struct xsk_umem *umem;
    struct xsk_umem_config ucfg = { .fill_size = NFRAMES, .comp_size = NFRAMES,
        .frame_size = FSIZE, .frame_headroom = 0, .flags = 0 };
    int r = xsk_umem__create(&umem, area, area_size, &fq, &cq, &ucfg);
    if (r) { fprintf(stderr, "xsk_umem__create: %s\n", strerror(-r)); return 1; }
    struct xsk_socket_config scfg = { .rx_size = NFRAMES, .tx_size = NFRAMES,
        .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD, .xdp_flags = 0,
        .bind_flags = zc ? XDP_ZEROCOPY : XDP_COPY };
    struct xsk_socket *xsk;
    r = xsk_socket__create(&xsk, ifn, 0, umem, &rx, &tx, &scfg);
    if (r) { fprintf(stderr, "xsk_socket__create: %s\n", strerror(-r)); return 1; }
    int fd = xsk_socket__fd(xsk);
    for (int i = 0; i < NFRAMES; i++) pb_build_frame((uint8_t *)area + (size_t)i * FSIZE, MAX_LEN);
    uint64_t sent = 0, done = 0, bytes = 0;
    uint32_t seq = 0;
    unsigned next = 0, outstanding = 0;
    double t0 = now(), end = t0 + secs, t = t0;
    while (1) {
        uint32_t idx;
        unsigned c = xsk_ring_cons__peek(&cq, NFRAMES, &idx);
        if (c) { xsk_ring_cons__release(&cq, c); outstanding -= c; done += c; }
        if ((t = now()) >= end) break;
        if (outstanding + batch > NFRAMES) { kick(fd); continue; }
        unsigned n = xsk_ring_prod__reserve(&tx, batch, &idx);
        if (n < batch) { kick(fd); continue; }
        for (unsigned i = 0; i < batch; i++) {
            uint64_t addr = (uint64_t)next * FSIZE;
            uint8_t *f = (uint8_t *)area + addr;
            int len = MIN_LEN + (int)(next_random() % (MAX_LEN - MIN_LEN + 1));
            set_len(f, len);
            pb_set_seq(f, seq++);
            struct xdp_desc *d = xsk_ring_prod__tx_desc(&tx, idx + i);
            d->addr = addr;
            d->len = len;
            d->options = 0;
            bytes += len;
            next = (next + 1) % NFRAMES;
        }
        xsk_ring_prod__submit(&tx, batch);
        outstanding += batch;
        sent += batch;
        if (sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN
            && errno != EBUSY && errno != ENOBUFS) {
            perror("sendto");
            return 1;
        }
    }
    double t1 = now();
    while (outstanding && now() < t1 + 1.0) {
        kick(fd);
        uint32_t idx;
        unsigned c = xsk_ring_cons__peek(&cq, NFRAMES, &idx);
        if (c) { xsk_ring_cons__release(&cq, c); outstanding -= c; done += c; }
    }
    printf("SENT %llu ELAPSED %.6f COMPLETED %llu BYTES %llu\n", (unsigned long long)sent,
           t - t0, (unsigned long long)done, (unsigned long long)bytes);
    xsk_socket__delete(xsk);
    xsk_umem__delete(umem);
    return 0;
}
