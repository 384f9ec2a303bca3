// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink lanes: raw generic netlink messages to the "minivisor"
 * family, as root (netlink) and as nobody (nluser), while the other lanes
 * create and destroy VMs.
 *
 * A case is a batch of 1 to 16 messages, sent one by one or several in one
 * sendmsg(): random commands (the family's, events sent as requests,
 * unknown ones), flags (ACK, DUMP, ECHO, junk), versions, and attributes:
 * the ones the command takes, others, unknown types, NLA_F_NESTED and
 * byte-order bits, nests of nests, lengths right and wrong, boundary
 * values, IDs of VMs the ioctl, race and kill lanes own (never those of
 * the guest lanes).  Replies are read as they come: whole, through a tiny
 * buffer, or not at all (a dump abandoned by closing its socket).  Some
 * sockets have a tiny receive buffer, some listen to the events group.
 *
 * Checks: nobody's requests for admin commands are refused (EPERM), and
 * nobody cannot open /dev/minivisor; a well-formed GET_INFO is answered.
 * Root's lane also changes module parameters (mmu_unsync, max_mmu_pages,
 * share_enabled, share_hash_bits) and scanner and balloon-policy settings
 * now and then, and puts them back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "fuzz.h"
#include "mvtest.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static int family, events_grp;

static const char *mvcmd_name(uint8_t cmd);

int nl_family(void)
{
	if (!family && mv_genl_ids(&family, &events_grp))
		family = 0;
	return family;
}

int nl_open(void)
{
	struct timeval tv = { .tv_usec = 300000 };
	int one = 1, fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

int nl_drain(int fd)
{
	static __thread char buf[32768];
	int n = 0;

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n++;
	return n;
}

/* Build attributes into @p; returns the length. */
static size_t put_attr(uint8_t *p, size_t room, uint16_t type, const void *v, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)p;

	if (NLA_HDRLEN + NLA_ALIGN(len) > room)
		return 0;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(p + NLA_HDRLEN, v, len);
	memset(p + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	return NLA_HDRLEN + NLA_ALIGN(len);
}

static int wait_ack(int fd, uint32_t seq)
{
	static __thread char buf[32768];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_seq == seq)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
}

int nl_vm_cmd(int fd, uint8_t cmd, uint32_t id)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		uint8_t a[64];
	} m;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static __thread uint32_t seq = 0x10000;
	size_t len = 0;

	if (!nl_family())
		return -ENOENT;
	memset(&m, 0, sizeof(m));
	if (id)
		len = put_attr(m.a, sizeof(m.a), MV_A_VM_ID, &id, 4);
	m.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + len);
	m.n.nlmsg_type = family;
	m.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	m.n.nlmsg_seq = ++seq;
	m.g.cmd = cmd;
	m.g.version = MV_GENL_VERSION;
	fz_add(&my->netlink, 1);
	if (sendto(fd, &m, m.n.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return wait_ack(fd, seq);
}

/* ---- generating messages ---- */

enum akind { A_U8, A_U32, A_U64, A_STR, A_NEST, A_NONE };

static enum akind attr_kind(unsigned int type)
{
	switch (type) {
	case MV_A_SHARE_ENABLED:
	case MV_A_BALLOON_AUTO:
	case MV_A_BALLOON_PRESSURE:
		return A_U8;
	case MV_A_MODULE_VERSION:
	case MV_A_VM_NAME:
	case MV_A_VM_CRASH_REASON:
	case MV_A_VM_COMM:
		return A_STR;
	case MV_A_VM_EXITS:
	case MV_A_SHARE_DOMAINS:
		return A_NEST;
	case MV_A_API_VERSION:
	case MV_A_BACKEND:
	case MV_A_NR_ASIDS:
	case MV_A_NR_VMS:
	case MV_A_MAX_VMS:
	case MV_A_VM_ID:
	case MV_A_VM_PID:
	case MV_A_VM_VCPUS:
	case MV_A_VM_STATE:
	case MV_A_VM_SHARE_DOMAIN:
	case MV_A_SHARE_SCAN_PAGES:
	case MV_A_SHARE_SCAN_INTERVAL_MS:
	case MV_A_SHARE_DOMAIN_ID:
	case MV_A_SHARE_DOMAIN_POLICY:
	case MV_A_VM_ACTIVE_PCT:
	case MV_A_BALLOON_TAX_PCT:
	case MV_A_BALLOON_FLOOR_PCT:
	case MV_A_BALLOON_FREE_TARGET_MB:
		return A_U32;
	default:
		return type <= MV_A_MAX ? A_U64 : A_NONE;
	}
}

/* The attributes each command takes. */
static const uint16_t takes_vm_set[] = { MV_A_VM_ID, MV_A_VM_SHARE_DOMAIN,
					 MV_A_VM_BALLOON_TARGET };
static const uint16_t takes_share[] = { MV_A_SHARE_ENABLED, MV_A_SHARE_SCAN_PAGES,
					MV_A_SHARE_SCAN_INTERVAL_MS, MV_A_SHARE_DOMAIN_ID,
					MV_A_SHARE_DOMAIN_POLICY };
static const uint16_t takes_balloon[] = { MV_A_BALLOON_AUTO, MV_A_BALLOON_TAX_PCT,
					  MV_A_BALLOON_FLOOR_PCT,
					  MV_A_BALLOON_FREE_TARGET_MB };

static uint16_t pick_type(struct rng *r, uint8_t cmd)
{
	if (rpct(r, 70)) {
		switch (cmd) {
		case MV_CMD_GET_VM:
		case MV_CMD_VM_PAUSE:
		case MV_CMD_VM_RESUME:
		case MV_CMD_VM_DESTROY:
			return MV_A_VM_ID;
		case MV_CMD_VM_SET:
			return RPICK(r, takes_vm_set);
		case MV_CMD_SET_SHARE:
			return RPICK(r, takes_share);
		case MV_CMD_SET_BALLOON:
			return RPICK(r, takes_balloon);
		}
	}
	if (rpct(r, 85))
		return rn(r, MV_A_MAX + 3);
	return rnd(r);		/* with NLA_F_NESTED / NLA_F_NET_BYTEORDER now and then */
}

static uint64_t attr_value(struct rng *r, uint16_t type, bool nobody)
{
	uint64_t v = rboundary(r);
	uint32_t id;

	switch (type & NLA_TYPE_MASK) {
	case MV_A_VM_ID:
		id = ids_pick(r, fz->exposed_ids);
		if (rpct(r, 80) && id)
			return id;
		v = rpct(r, 50) ? rn(r, 300) : v;
		/* never the guest lanes' VMs (nobody cannot touch them anyway) */
		if (!nobody && ids_has(fz->protected_ids, (uint32_t)v))
			v = 0xfffffff0u;
		return v;
	case MV_A_SHARE_SCAN_PAGES:
		return RPICK(r, ((const uint64_t[]){ 0, 1, 256, 4096, MV_SHARE_MAX_SCAN_PAGES,
						    MV_SHARE_MAX_SCAN_PAGES + 1, v }));
	case MV_A_SHARE_SCAN_INTERVAL_MS:
		return RPICK(r, ((const uint64_t[]){ 0, 1, 2, 20, 1000, MV_SHARE_MAX_INTERVAL_MS,
						    MV_SHARE_MAX_INTERVAL_MS + 1, v }));
	case MV_A_SHARE_DOMAIN_ID:
	case MV_A_VM_SHARE_DOMAIN:
		return rpct(r, 70) ? rn(r, 200) : v;
	case MV_A_SHARE_DOMAIN_POLICY:
		return rpct(r, 80) ? rn(r, 3) : v;
	case MV_A_BALLOON_TAX_PCT:
	case MV_A_BALLOON_FLOOR_PCT:
		return RPICK(r, ((const uint64_t[]){ 0, 25, 75, 99, 100, 101, v }));
	case MV_A_BALLOON_FREE_TARGET_MB:
		return RPICK(r, ((const uint64_t[]){ 0, 1, 64, 512, 4096, v }));
	case MV_A_VM_BALLOON_TARGET:
		return rpct(r, 60) ? rn(r, 1024) * 4096ull : v;
	case MV_A_SHARE_ENABLED:
	case MV_A_BALLOON_AUTO:
		return rpct(r, 80) ? rn(r, 2) : v;
	default:
		return v;
	}
}

static size_t gen_attrs(struct rng *r, uint8_t cmd, uint8_t *p, size_t room, int depth,
			bool nobody)
{
	size_t len = 0;
	int n = rpct(r, 25) ? 0 : rrange(r, 1, 5), i;

	for (i = 0; i < n; i++) {
		uint16_t type = pick_type(r, cmd);
		enum akind k = attr_kind(type & NLA_TYPE_MASK);
		uint8_t v[64];
		uint16_t vl;
		uint64_t x = attr_value(r, type, nobody);

		if (rpct(r, 10))
			k = rn(r, A_NONE + 1);
		switch (k) {
		case A_U8:
			vl = 1;
			break;
		case A_U32:
			vl = 4;
			break;
		case A_U64:
			vl = 8;
			break;
		case A_STR:
			vl = rn(r, 40);
			rfill(r, v, vl);
			if (vl && rpct(r, 70))
				v[vl - 1] = 0;
			break;
		case A_NEST:
			if (depth < 3 && room > len + 16) {
				size_t in = gen_attrs(r, cmd, p + len + NLA_HDRLEN,
						      room - len - NLA_HDRLEN, depth + 1, nobody);
				struct nlattr *a = (struct nlattr *)(p + len);

				a->nla_type = type | (rpct(r, 70) ? NLA_F_NESTED : 0);
				a->nla_len = NLA_HDRLEN + in;
				len += NLA_HDRLEN + in;
			}
			continue;
		default:
			vl = 0;
		}
		if (k <= A_U64)
			memcpy(v, &x, 8);
		if (rpct(r, 8))		/* a wrong length */
			vl = RPICK(r, ((const uint16_t[]){ 0, 1, 2, 3, 5, 7, 9, 16, 33 }));
		if (vl > sizeof(v))
			vl = sizeof(v);
		len += put_attr(p + len, room - len, type, v, vl);
		if (rpct(r, 2) && len >= NLA_HDRLEN) {	/* a lying nla_len */
			struct nlattr *a = (struct nlattr *)(p + len - NLA_ALIGN(vl) - NLA_HDRLEN);

			a->nla_len = rn(r, 0x10000);
		}
	}
	return len;
}

struct nlmsg {
	struct nlmsghdr n;
	struct genlmsghdr g;
	uint8_t a[600];
};

static uint8_t pick_cmd(struct rng *r, bool nobody)
{
	static const uint8_t cmds[] = {
		MV_CMD_GET_INFO, MV_CMD_GET_VM, MV_CMD_GET_VM, MV_CMD_VM_PAUSE,
		MV_CMD_VM_RESUME, MV_CMD_VM_RESUME, MV_CMD_VM_DESTROY, MV_CMD_GET_SHARE,
		MV_CMD_SET_SHARE, MV_CMD_VM_SET, MV_CMD_VM_SET, MV_CMD_GET_BALLOON,
		MV_CMD_SET_BALLOON, MV_CMD_EVENT_VM_CREATED, MV_CMD_EVENT_SCAN_DONE,
		MV_CMD_UNSPEC,
	};

	(void)nobody;
	return rpct(r, 92) ? RPICK(r, cmds) : rn(r, 256);
}

static bool admin_cmd(uint8_t cmd)
{
	return cmd == MV_CMD_VM_PAUSE || cmd == MV_CMD_VM_RESUME || cmd == MV_CMD_VM_DESTROY ||
	       cmd == MV_CMD_SET_SHARE || cmd == MV_CMD_VM_SET || cmd == MV_CMD_SET_BALLOON;
}

static void gen_msg(struct rng *r, struct nlmsg *m, uint32_t seq, bool nobody)
{
	uint8_t cmd = pick_cmd(r, nobody);
	size_t alen;

	memset(m, 0, sizeof(*m));
	alen = gen_attrs(r, cmd, m->a, sizeof(m->a), 0, nobody);
	m->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + alen);
	m->n.nlmsg_type = rpct(r, 95) ? family : rpct(r, 50) ? GENL_ID_CTRL : rn(r, 0x10000);
	m->n.nlmsg_flags = NLM_F_REQUEST;
	if (rpct(r, 75))
		m->n.nlmsg_flags |= NLM_F_ACK;
	if ((cmd == MV_CMD_GET_VM && rpct(r, 50)) || rpct(r, 8))
		m->n.nlmsg_flags |= NLM_F_DUMP;
	if (rpct(r, 4))
		m->n.nlmsg_flags |= NLM_F_ECHO;
	if (rpct(r, 3))
		m->n.nlmsg_flags ^= rnd(r) & 0xffff;
	m->n.nlmsg_seq = seq;
	m->g.cmd = cmd;
	m->g.version = rpct(r, 90) ? MV_GENL_VERSION : rn(r, 256);
	m->g.reserved = rpct(r, 95) ? 0 : rnd(r);
	/* and a dump of GET_VM must take no attributes: mostly give it none */
	if (cmd == MV_CMD_GET_VM && (m->n.nlmsg_flags & NLM_F_DUMP) && rpct(r, 70))
		m->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	if (rpct(r, 2))		/* a lying nlmsg_len */
		m->n.nlmsg_len = RPICK(r, ((const uint32_t[]){ 0, 4, NLMSG_HDRLEN,
							       NLMSG_HDRLEN + 2,
							       m->n.nlmsg_len + 4,
							       m->n.nlmsg_len - 1, 0xffff }));
}

/* ---- the sockets of a lane ---- */

#define NSOCK 4

struct socks {
	int fd[NSOCK];
};

static void sock_open(struct socks *s, int i, struct rng *r)
{
	s->fd[i] = nl_open();
	if (s->fd[i] < 0)
		return;
	if (i == 1) {		/* a tiny receive buffer: replies that do not fit */
		int sz = 256 + rn(r, 2048);

		setsockopt(s->fd[i], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	if (i == 2 && events_grp) {	/* events we read rarely */
		int g = events_grp;

		setsockopt(s->fd[i], SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g));
	}
	if (i == 3) {		/* capped acks */
		int one = 1;

		setsockopt(s->fd[i], SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	}
}

/* Read what came back; check what the lane may check. */
static void read_replies(int fd, struct rng *r, const struct nlmsg *msgs,
			 const bool *checkable, int nmsg, uint32_t seq0, bool nobody,
			 uint64_t nr)
{
	static __thread char buf[65536];
	size_t sz = rpct(r, 10) ? rrange(r, 16, 512) : sizeof(buf);
	int rounds = 0;

	while (rounds++ < 64) {
		ssize_t n = recv(fd, buf, sz, MSG_DONTWAIT);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n <= 0)
			break;
		if ((size_t)n > sz)
			n = sz;
		for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			int i = (int)(h->nlmsg_seq - seq0), err;
			const struct nlmsgerr *e = NLMSG_DATA(h);
			uint8_t cmd;
			uint16_t fl;

			if (h->nlmsg_type != NLMSG_ERROR || i < 0 || i >= nmsg ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				continue;
			err = e->error;
			cmd = msgs[i].g.cmd;
			fl = msgs[i].n.nlmsg_flags;
			sig_new(sig_hash(&(uint64_t[]){ nobody, cmd, err, fl & NLM_F_DUMP },
					 32, 0x6e6c));
			/* the ack echoes the request's header: is it ours? */
			if (nobody && !err && admin_cmd(cmd) && checkable[i] &&
			    e->msg.nlmsg_type == family && e->msg.nlmsg_flags == fl &&
			    e->msg.nlmsg_len == msgs[i].n.nlmsg_len)
				api_violation("case=%s: an unprivileged %s request (flags %#x) was accepted",
					      case_name(L_NLUSER, nr), mvcmd_name(cmd), fl);
		}
	}
}

static void nl_case(struct socks *s, uint64_t nr, bool nobody)
{
	static __thread struct nlmsg msgs[16];
	bool checkable[16];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct iovec iov[16];
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = iov };
	enum lane lane = nobody ? L_NLUSER : L_NETLINK;
	struct rng r;
	uint32_t seq0;
	int i, n, k, fd;

	rng_seed(&r, fz_seed, lane, nr);
	k = rn(&r, NSOCK);
	if (s->fd[k] < 0 || rpct(&r, 2)) {
		if (s->fd[k] >= 0)
			close(s->fd[k]);	/* maybe in the middle of a dump */
		sock_open(s, k, &r);
		if (s->fd[k] < 0)
			return;
	}
	fd = s->fd[k];
	n = rpct(&r, 60) ? 1 : rrange(&r, 2, 16);
	seq0 = (uint32_t)(nr << 4);
	for (i = 0; i < n; i++) {
		gen_msg(&r, &msgs[i], seq0 + i, nobody);
		/* a request to our family with a truthful length */
		checkable[i] = msgs[i].n.nlmsg_type == family &&
			       (msgs[i].n.nlmsg_flags & NLM_F_REQUEST) &&
			       msgs[i].n.nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN) &&
			       msgs[i].n.nlmsg_len <= sizeof(msgs[i]);
		iov[i].iov_base = &msgs[i];
		iov[i].iov_len = NLMSG_ALIGN(msgs[i].n.nlmsg_len) <= sizeof(msgs[i]) ?
				 NLMSG_ALIGN(msgs[i].n.nlmsg_len) : sizeof(msgs[i]);
		if (msgs[i].n.nlmsg_len < NLMSG_HDRLEN)
			iov[i].iov_len = NLMSG_LENGTH(GENL_HDRLEN);
	}
	if (rpct(&r, 50)) {		/* all in one datagram */
		mh.msg_iovlen = n;
		fz_add(&my->netlink, n);
		sendmsg(fd, &mh, MSG_DONTWAIT);
	} else {
		for (i = 0; i < n; i++) {
			mh.msg_iov = &iov[i];
			mh.msg_iovlen = 1;
			fz_add(&my->netlink, 1);
			sendmsg(fd, &mh, MSG_DONTWAIT);
		}
	}
	if (rpct(&r, 90))
		read_replies(fd, &r, msgs, checkable, n, seq0, nobody, nr);
	if (k == 2 && rpct(&r, 10))
		nl_drain(fd);
}

/* A well-formed GET_INFO is always answered. */
static void check_info(int fd, uint64_t nr, bool nobody)
{
	int err = nl_vm_cmd(fd, MV_CMD_GET_INFO, 0);

	if (err && err != -ETIMEDOUT && err != -ENOBUFS)
		api_violation("case=%s: MV_CMD_GET_INFO failed: %s",
			      case_name(nobody ? L_NLUSER : L_NETLINK, nr), strerror(-err));
	nl_drain(fd);
}

/* ---- module settings ---- */

static const struct {
	const char *param;
	const char *dflt;
	const char *const vals[6];
} params[] = {
	{ "mmu_unsync", "Y", { "N", "Y", "0", "1", "x", "" } },
	{ "max_mmu_pages", "", { "64", "65", "128", "1048576", "63", "1048577" } },
	{ "share_enabled", "Y", { "N", "Y", "N", "Y", "2", "" } },
	{ "share_hash_bits", "", { "0", "2", "8", "64", "65", "-1" } },
};

static char param_dflt[4][32];

static void param_write(const char *p, const char *v)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/sys/module/minivisor/parameters/%s", p);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, v, strlen(v)) < 0)
		(void)0;	/* out-of-range values are refused: fine */
	close(fd);
}

static void params_save(void)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		char path[128];
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "/sys/module/minivisor/parameters/%s",
			 params[i].param);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, param_dflt[i], sizeof(param_dflt[i]) - 1);
		close(fd);
		if (n > 0)
			param_dflt[i][strcspn(param_dflt[i], "\n")] = 0;
	}
}

/* Back to the settings of a freshly loaded module. */
static void settings_restore(int fd)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		uint8_t a[128];
	} m;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint32_t pages = 256, ms = 20, tax = 75, floor = 25, freemb = 0;
	uint8_t on = 1;
	unsigned int i;
	size_t len;

	for (i = 0; i < 4; i++)
		if (param_dflt[i][0])
			param_write(params[i].param, param_dflt[i]);
	memset(&m, 0, sizeof(m));
	len = put_attr(m.a, sizeof(m.a), MV_A_SHARE_ENABLED, &on, 1);
	len += put_attr(m.a + len, sizeof(m.a) - len, MV_A_SHARE_SCAN_PAGES, &pages, 4);
	len += put_attr(m.a + len, sizeof(m.a) - len, MV_A_SHARE_SCAN_INTERVAL_MS, &ms, 4);
	m.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + len);
	m.n.nlmsg_type = family;
	m.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	m.n.nlmsg_seq = 1;
	m.g.cmd = MV_CMD_SET_SHARE;
	m.g.version = MV_GENL_VERSION;
	fz_add(&my->netlink, 1);
	if (sendto(fd, &m, m.n.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) >= 0)
		wait_ack(fd, 1);
	memset(&m, 0, sizeof(m));
	len = put_attr(m.a, sizeof(m.a), MV_A_BALLOON_AUTO, &on, 1);
	len += put_attr(m.a + len, sizeof(m.a) - len, MV_A_BALLOON_TAX_PCT, &tax, 4);
	len += put_attr(m.a + len, sizeof(m.a) - len, MV_A_BALLOON_FLOOR_PCT, &floor, 4);
	len += put_attr(m.a + len, sizeof(m.a) - len, MV_A_BALLOON_FREE_TARGET_MB, &freemb, 4);
	m.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + len);
	m.n.nlmsg_type = family;
	m.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	m.n.nlmsg_seq = 2;
	m.g.cmd = MV_CMD_SET_BALLOON;
	m.g.version = MV_GENL_VERSION;
	fz_add(&my->netlink, 1);
	if (sendto(fd, &m, m.n.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) >= 0)
		wait_ack(fd, 2);
	nl_drain(fd);
}

static void settings_fuzz(struct rng *r)
{
	unsigned int i = rn(r, 4);

	param_write(params[i].param, params[i].vals[rn(r, 6)]);
}

static void netlink_loop(bool nobody)
{
	struct cov *cov = cov_thread_init();
	struct socks s;
	int ctl = nl_open(), i;
	uint64_t nr;

	for (i = 0; i < NSOCK; i++)
		s.fd[i] = -1;
	if (!nobody)
		params_save();
	for (nr = 0; !fz_stopping(); nr++) {
		struct rng r;

		my->cur_case = nr;
		fz_heartbeat();
		cov_case_begin(cov);
		nl_case(&s, nr, nobody);
		if (cov_case_end(cov))
			corpus_save(nobody ? L_NLUSER : L_NETLINK, nr, "new", NULL, 0);
		rng_seed(&r, fz_seed, nobody ? L_NLUSER : L_NETLINK, nr | 1ull << 63);
		if (nr % 256 == 0)
			check_info(ctl, nr, nobody);
		if (!nobody && rpct(&r, 1))
			settings_fuzz(&r);
		if (!nobody && nr % 2000 == 1999)
			settings_restore(ctl);
		fz_add(&my->cases, 1);
	}
	if (!nobody)
		settings_restore(ctl);
	for (i = 0; i < NSOCK; i++)
		if (s.fd[i] >= 0)
			close(s.fd[i]);
	close(ctl);
}

void lane_netlink(bool nobody)
{
	pid_t pid;
	int status, fd;

	if (!nl_family()) {
		fuzzer_error("the minivisor netlink family cannot be resolved");
		return;
	}
	if (!nobody) {
		netlink_loop(false);
		return;
	}
	/* nobody: a child without privileges; we only wait for it */
	pid = fork();
	if (!pid) {
		if (drop_privileges())
			_exit(3);
		fd = open("/dev/minivisor", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			api_violation("nobody could open /dev/minivisor");
			close(fd);
		}
		netlink_loop(true);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fuzzer_error("the unprivileged netlink process ended with %#x", status);
}

int replay_netlink(uint64_t nr, bool nobody)
{
	struct socks s;
	int i;

	if (!nl_family())
		return 1;
	for (i = 0; i < NSOCK; i++)
		s.fd[i] = -1;
	if (nobody && drop_privileges())
		return 1;
	nl_case(&s, nr, nobody);
	for (i = 0; i < NSOCK; i++)
		if (s.fd[i] >= 0)
			close(s.fd[i]);
	return 0;
}

static const char *mvcmd_name(uint8_t cmd)
{
	static const char *const names[] = {
		"UNSPEC", "GET_INFO", "GET_VM", "VM_PAUSE", "VM_RESUME", "VM_DESTROY",
		"EVENT_VM_CREATED", "EVENT_VM_DESTROYED", "EVENT_VM_CRASHED", "GET_SHARE",
		"SET_SHARE", "VM_SET", "EVENT_SCAN_DONE", "EVENT_BALLOON_TARGET_REACHED",
		"GET_BALLOON", "SET_BALLOON",
	};

	return cmd < sizeof(names) / sizeof(names[0]) ? names[cmd] : "?";
}
