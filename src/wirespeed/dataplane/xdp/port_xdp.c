// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * wirespeed's XDP program for a port on the AF_XDP driver.
 *
 * Every frame the port receives on a queue with an AF_XDP socket goes to that
 * socket, with its arrival time (CLOCK_TAI, ns) in 8 bytes put in front of it
 * (the socket's reader takes them off), except the frames the port's services answer (ARP, ICMP, ICMPv6,
 * IPv6 hop-by-hop for MLD; tagged or not): those go on to the kernel, where the
 * service worker's packet socket and the RX worker's ring see them. With
 * pass_all[0] set (a capture is running) every frame goes to the kernel, where
 * packet taps see it. Built with clang at first use (wirespeed.dataplane.xdp).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} pass_all SEC(".maps");

static __always_inline int for_services(void *data, void *end)
{
	struct ethhdr *eth = data;
	__u64 off = sizeof(*eth);
	__u16 proto;

	if (data + off > end)
		return 1; /* a runt: the kernel's to count */
	proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if (data + off + 4 > end)
			return 1;
		proto = *(__u16 *)(data + off + 2);
		off += 4;
	}
	if (proto == bpf_htons(ETH_P_ARP))
		return 1;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;
		if ((void *)(ip + 1) > end)
			return 0;
		return ip->protocol == 1; /* ICMP */
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;
		if ((void *)(ip6 + 1) > end)
			return 0;
		return ip6->nexthdr == 58 || ip6->nexthdr == 0; /* ICMPv6, hop-by-hop */
	}
	return 0;
}

SEC("xdp")
int ws_port(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u32 *all = bpf_map_lookup_elem(&pass_all, &zero);
	__u64 now = bpf_ktime_get_tai_ns();
	__u32 queue = ctx->rx_queue_index;
	__u64 *stamp;

	if (all && *all)
		return XDP_PASS;
	if (for_services((void *)(long)ctx->data, (void *)(long)ctx->data_end))
		return XDP_PASS;
	/* no socket on this queue: the kernel's path (the RX worker's ring) */
	if (!bpf_map_lookup_elem(&xsks, &queue))
		return XDP_PASS;
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(__u64)))
		return XDP_PASS;
	stamp = (void *)(long)ctx->data;
	if ((void *)(stamp + 1) > (void *)(long)ctx->data_end)
		return XDP_ABORTED; /* cannot happen: the frame just grew by 8 */
	*stamp = now;
	return bpf_redirect_map(&xsks, queue, 0);
}

char _license[] SEC("license") = "GPL"; /* GPL-2.0 OR Apache-2.0: the kernel asks for GPL */
