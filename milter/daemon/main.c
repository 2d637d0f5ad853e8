/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c -- command line, daemon hygiene (socket, pidfile, privileges),
 * signals and reloads, then libmilter's main loop.
 *
 * Order matters: the socket is opened as root, its mode and group set, the
 * pidfile written, and only then are privileges dropped (setgroups, setgid,
 * setuid).  SIGUSR1 and SIGUSR2 are blocked before any thread exists and
 * taken by one sigwait thread: libmilter's own signal thread treats SIGHUP
 * as a stop, so reloads use SIGUSR1.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "daemon/callbacks.h"
#include "daemon/config.h"
#include "dns/dns.h"
#include "daemon/log.h"
#include "daemon/notify.h"
#include "daemon/portowner.h"
#include "daemon/query.h"
#include "daemon/stats.h"
#include "daemon/verifier.h"

#define EXIT_USAGE 64
#define EXIT_CONFIG 78
#define EXIT_SOFTWARE 70

struct options {
	const char *config_path;
	const char *socket;         /* -p, overrides the config's socket */
	const char *user;           /* -u USER[:GROUP] */
	const char *pidfile;
	bool foreground;
	int check_only;             /* -n: 1 prints the settings, 2 (-nn) with their help */
	bool quiet_check;           /* -t: the exit status says it all (systemd's ExecReload) */
	const char *query_client;   /* -q: the query mode */
	const char *query_local;    /* -a */
	const char *query_mta;      /* -j */
	const char *query_from;     /* -m */
	bool query_live;            /* -l */
	const char *query_helo;
	const char *query_rcpt;
};

static struct options opts = {.config_path = SYSCONFDIR "/mxpolicy-milter.conf"};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mxpolicy-milter [-c FILE] [-f] [-n | -t] [-p SOCKET] [-u USER[:GROUP]]\n"
		"                       [-P PIDFILE] [-V] [-h]\n"
		"       mxpolicy-milter [-c FILE] [-a LOCAL_ADDR] [-j MTA_NAME] [-m SENDER] [-l]\n"
		"                       -q CLIENT_IP HELO [RECIPIENT]\n"
		"  -c FILE    configuration file (default %s)\n"
		"  -f         stay in the foreground and log to stderr as well\n"
		"  -n         check the configuration, print the effective settings, exit\n"
		"             (-nn: each with its line of help above it)\n"
		"  -t         check the configuration quietly: exit 0 printing nothing, or\n"
		"             print each error on stderr and exit 78\n"
		"  -p SOCKET  listen here instead of the configured socket\n"
		"             (unix:/path, local:/path, inet:PORT@HOST, inet6:PORT@HOST)\n"
		"  -u USER    run as USER (and GROUP) once the socket is open\n"
		"  -P FILE    write the process id to FILE\n"
		"  -q CLIENT_IP HELO [RECIPIENT]\n"
		"             query mode: judge this peer with live DNS and no MTA, print\n"
		"             every check with its evidence, why each that fired did, and\n"
		"             the verdict; exit 0 accept, 1 reject, 2 tempfail, 3 error\n"
		"             (HELO \"\" for none)\n"
		"  -a ADDR    with -q: the local address the client connects to (the route)\n"
		"  -j NAME    with -q: the MTA's own host name, macro j (Postfix's myhostname;\n"
		"             default this host's name): what helo_impersonation and the\n"
		"             authserv-id use\n"
		"  -m SENDER  with -q: the MAIL FROM address (default <>, the null sender)\n"
		"  -l         with -q: rcpt_unverified asks the better exchanger live (and\n"
		"             keeps its answer); without -l the filter's cache alone answers\n"
		"  -V         print the version and exit\n"
		"  -h         print this help and exit\n",
		SYSCONFDIR "/mxpolicy-milter.conf");
}

/* -q's operands, and what goes with -q alone. */
static int query_args(int argc, char **argv)
{
	if (opts.quiet_check) {
		fprintf(stderr, "mxpolicy-milter: -t goes alone, not with -q\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc - optind < 1 || argc - optind > 2) {
		fprintf(stderr, "mxpolicy-milter: -q needs CLIENT_IP HELO [RECIPIENT]\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (opts.query_mta != NULL && opts.query_mta[0] == '\0') {
		fprintf(stderr, "mxpolicy-milter: -j needs the MTA's host name\n");
		return EXIT_USAGE;
	}
	opts.query_helo = argv[optind];
	opts.query_rcpt = argc - optind == 2 ? argv[optind + 1] : NULL;
	return 0;
}

/* Serving, -n or -t: no query options, no operands. */
static int serving_args(int argc, char **argv)
{
	if (opts.quiet_check && opts.check_only) {
		fprintf(stderr, "mxpolicy-milter: -t goes alone, not with -n\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (opts.query_local != NULL || opts.query_mta != NULL || opts.query_from != NULL ||
	    opts.query_live) {
		fprintf(stderr, "mxpolicy-milter: -%c goes with -q\n",
			opts.query_local ? 'a' : opts.query_mta ? 'j' : opts.query_from ? 'm' : 'l');
		usage(stderr);
		return EXIT_USAGE;
	}
	if (optind != argc) {
		fprintf(stderr, "mxpolicy-milter: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

static int parse_args(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "a:c:fj:lm:np:q:tu:P:Vh")) != -1) {
		switch (c) {
		case 'a': opts.query_local = optarg; break;
		case 'j': opts.query_mta = optarg; break;
		case 'm': opts.query_from = optarg; break;
		case 'l': opts.query_live = true; break;
		case 'c': opts.config_path = optarg; break;
		case 'q': opts.query_client = optarg; break;
		case 'f': opts.foreground = true; break;
		case 'n': opts.check_only++; break;
		case 't': opts.quiet_check = true; break;
		case 'p': opts.socket = optarg; break;
		case 'u': opts.user = optarg; break;
		case 'P': opts.pidfile = optarg; break;
		case 'V':
			printf("mxpolicy-milter %s (libmilter %u.%u.%u)\n", PACKAGE_VERSION,
			       (unsigned)SM_LM_VRS_MAJOR(SMFI_VERSION),
			       (unsigned)SM_LM_VRS_MINOR(SMFI_VERSION),
			       (unsigned)SM_LM_VRS_PLVL(SMFI_VERSION));
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	return opts.query_client != NULL ? query_args(argc, argv) : serving_args(argc, argv);
}

static void print_errors(FILE *out, const struct config_errors *errs)
{
	for (size_t i = 0; i < errs->count; i++)
		fprintf(out, "%s\n", errs->items[i]);
}

/*
 * In the foreground every line goes to stderr as well, except when stderr
 * is the systemd journal (JOURNAL_STREAM names its device and inode): the
 * journal has the syslog copy already, and each line would show twice.
 */
static bool log_to_stderr(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!opts.foreground)
		return false;
	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) != 0)
		return true;
	return !((unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino);
}

static struct config *load_or_report(void)
{
	struct config_errors errs = {0};
	struct config *cfg = config_load(opts.config_path, &errs);

	if (cfg == NULL)
		print_errors(stderr, &errs);
	config_errors_clear(&errs);
	return cfg;
}

/* ---- reloads and status: the sigwait thread --------------------------- */

static struct dns_settings dns_settings_of(const struct config *cfg)
{
	struct dns_settings s = {
		cfg->dns_servers, cfg->dns_timeout_ms, cfg->dns_tries, cfg->dns_cache_size,
		cfg->dns_min_ttl, cfg->dns_max_ttl,
	};
	return s;
}

/*
 * The configuration the filter started with: what the options that need a
 * restart (the socket's) still are, whatever reloads came since.
 */
static const char *serving_on;            /* the socket, for the service manager's status */
static struct config *started_with;       /* kept to the end: the signal thread reads it */

static bool reload(void)
{
	struct config_errors errs = {0};
	struct config *fresh = config_load(opts.config_path, &errs);
	struct config *old;

	if (fresh == NULL) {
		for (size_t i = 0; i < errs.count; i++)
			log_msg(LOG_ERR, "reload: %s", errs.items[i]);
		log_msg(LOG_ERR, "reload failed: keeping the current configuration");
		config_errors_clear(&errs);
		return false;
	}
	/* against what the socket was opened with, not the last reload */
	old = __atomic_load_n(&started_with, __ATOMIC_ACQUIRE);
	if (old != NULL) {
		const char *changed[OPTION_COUNT];
		size_t n = config_restart_changes(old, fresh, changed, OPTION_COUNT);

		for (size_t i = 0; i < n; i++)
			log_msg(LOG_WARNING, "reload: %s changed; it takes effect at restart",
				changed[i]);
	}
	log_open("mxpolicy-milter", fresh->log_facility, log_to_stderr());
	log_set_level(fresh->log_level);
	struct dns_settings ds = dns_settings_of(fresh);

	if (!dns_reconfigure(&ds))
		log_msg(LOG_ERR, "reload: cannot apply the DNS settings");
	config_publish(fresh);
	log_msg(LOG_NOTICE, "configuration reloaded from %s", opts.config_path);
	return true;
}

/* SIGUSR2: the counters as one log line. */
static void log_stats(void)
{
	struct stats_snapshot snap;
	char line[2048];

	stats_take(&snap);
	stats_format_line(&snap, line, sizeof line);
	log_msg(LOG_NOTICE, "%s", line);
}

/*
 * Rewrites stats_file.  A failure is logged when it first happens and when
 * its reason changes, not at every interval.
 */
static void write_stats(const struct config *cfg)
{
	static char last_error[512];
	struct stats_snapshot snap;
	char err[512];

	if (cfg == NULL || cfg->stats_file[0] == '\0')
		return;
	stats_take(&snap);
	if (stats_write_file(cfg->stats_file, &snap, err, sizeof err)) {
		if (last_error[0] != '\0')
			log_msg(LOG_NOTICE, "stats_file %s written again", cfg->stats_file);
		last_error[0] = '\0';
	} else if (strcmp(err, last_error) != 0) {
		log_msg(LOG_ERR, "cannot write stats_file: %s", err);
		snprintf(last_error, sizeof last_error, "%s", err);
	}
}

/* The store swept in small steps, never holding writers up; idle probes closed soon. */
#define PRUNE_INTERVAL 300
#define PRUNE_BUDGET 1000
#define REAP_INTERVAL 5

struct timers {
	time_t next_write, next_prune;
};

/*
 * The signal thread's work between signals: idle probe connections
 * closed, the store swept now and then, stats_file rewritten.  Returns
 * how long to wait for a signal before the next round.
 */
static time_t periodic_work(const struct config *cfg, struct timers *t)
{
	time_t now = time(NULL), wait = REAP_INTERVAL;

	verifier_reap();
	if (cfg != NULL && now >= t->next_prune) {
		verifier_prune(cfg, PRUNE_BUDGET);
		t->next_prune = now + PRUNE_INTERVAL;
	}
	if (cfg == NULL || cfg->stats_file[0] == '\0')
		return wait;
	/* the first write at once; a shorter interval from a reload at once too */
	if (t->next_write == 0 || t->next_write > now + cfg->stats_interval)
		t->next_write = now;
	if (now >= t->next_write) {
		write_stats(cfg);
		t->next_write = now + cfg->stats_interval;
	}
	return t->next_write - now < wait ? t->next_write - now : wait;
}

/*
 * Takes SIGUSR1 (reload) and SIGUSR2 (log the counters), and between them
 * rewrites stats_file every stats_interval seconds and sweeps the
 * verification store.
 */
static void *signal_thread(void *arg)
{
	sigset_t *set = arg;
	struct timers t = {0, 0};

	for (;;) {
		struct config *cfg = config_acquire();
		struct timespec wait = {periodic_work(cfg, &t), 0};
		int sig;

		config_release(cfg);
		sig = sigtimedwait(set, NULL, &wait);
		if (sig == SIGUSR1) {
			notify_reloading();
			notify_reloaded(reload(), serving_on);
		} else if (sig == SIGUSR2)
			log_stats();
	}
	return NULL;
}

static bool start_signal_thread(void)
{
	static sigset_t set;
	pthread_t tid;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (pthread_create(&tid, NULL, signal_thread, &set) != 0)
		return false;
	pthread_detach(tid);
	return true;
}

static void block_reload_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	/*
	 * libmilter takes the stop signals in its own sigwait thread, but only
	 * from smfi_main on: blocked here, they cannot hit a thread of ours
	 * first and kill the process without a clean stop.
	 */
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* ---- privileges, socket, pidfile ---------------------------------------- */

/*
 * TCP_NODELAY on libmilter's listening socket, which the connections it
 * accepts inherit (Linux).  At the end of a message the filter writes a
 * header change and then its reply as two small packets: with Nagle the
 * second waits for the MTA's delayed ACK of the first, 40 ms a message.
 * libmilter keeps the descriptor to itself, so it is found among ours: the
 * one TCP socket that listens.  A unix socket has no Nagle.
 */
static void no_delay_on_listener(void)
{
	for (int fd = 0; fd < 1024; fd++) {
		int listening = 0, protocol = 0, one = 1;
		socklen_t len = sizeof listening, plen = sizeof protocol;

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening ||
		    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &plen) != 0 ||
		    protocol != IPPROTO_TCP)
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
			log_msg(LOG_WARNING, "cannot set TCP_NODELAY on the milter socket: %s",
				strerror(errno));
	}
}

struct identity {
	uid_t uid;
	gid_t gid;
	char name[64];
};

static bool lookup_identity(const char *spec, struct identity *id)
{
	char user[64];
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	struct passwd *pw;

	if (len == 0 || len >= sizeof user) {
		fprintf(stderr, "mxpolicy-milter: -u: bad user '%s'\n", spec);
		return false;
	}
	memcpy(user, spec, len);
	user[len] = '\0';
	pw = getpwnam(user);
	if (pw == NULL) {
		fprintf(stderr, "mxpolicy-milter: -u: no such user '%s'\n", user);
		return false;
	}
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	snprintf(id->name, sizeof id->name, "%s", user);
	if (colon) {
		struct group *gr = getgrnam(colon + 1);

		if (gr == NULL) {
			fprintf(stderr, "mxpolicy-milter: -u: no such group '%s'\n", colon + 1);
			return false;
		}
		id->gid = gr->gr_gid;
	}
	return true;
}

static const char *unix_path(const char *sock)
{
	if (strncmp(sock, "unix:", 5) == 0)
		return sock + 5;
	if (strncmp(sock, "local:", 6) == 0)
		return sock + 6;
	return NULL;
}

/*
 * The socket's mode and owner are set as root, in a directory that the
 * unprivileged user may own (/run/mxpolicy-milter): once libmilter has
 * bound the socket, that user could put a symbolic link to /etc/shadow in
 * its place, and chmod and chown by name would follow it.  Linux has
 * lchown but no chmod that refuses a link (fchmodat's AT_SYMLINK_NOFOLLOW
 * is not supported for it by the kernel), and a check by lstat then a
 * change by name leaves a race.  So the name is opened once, O_PATH |
 * O_NOFOLLOW: the descriptor holds that inode whatever becomes of the
 * name, fstat proves it is a socket of ours, fchownat(AT_EMPTY_PATH) sets
 * its owner and chmod through /proc/self/fd/N (which names the inode, not
 * the path) its mode.
 */
static bool set_socket_mode_owner(const char *path, unsigned mode, uid_t uid, gid_t gid)
{
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	char by_fd[64];
	struct stat st;
	bool ok = false;

	if (fd < 0) {
		log_msg(LOG_ERR, "%s: cannot open the socket to set its mode: %s", path,
			strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0) {
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
	} else if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) {
		log_msg(LOG_ERR, "%s: is not the socket this process made (%s); refusing to "
			"change its mode or owner", path,
			S_ISLNK(st.st_mode) ? "a symbolic link" : !S_ISSOCK(st.st_mode)
			? "not a socket" : "owned by someone else");
	} else {
		snprintf(by_fd, sizeof by_fd, "/proc/self/fd/%d", fd);
		if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) != 0 || chmod(by_fd, mode) != 0)
			log_msg(LOG_ERR, "%s: cannot set mode or owner: %s", path,
				strerror(errno));
		else
			ok = true;
	}
	close(fd);
	return ok;
}

static bool prepare_unix_socket(const struct config *cfg, const char *sock,
				const struct identity *id)
{
	const char *path = unix_path(sock);
	gid_t gid = id ? id->gid : (gid_t)-1;
	uid_t uid = id ? id->uid : (uid_t)-1;

	if (path == NULL)
		return true;
	if (cfg->socket_group[0]) {
		struct group *gr = getgrnam(cfg->socket_group);

		if (gr == NULL) {
			log_msg(LOG_ERR, "socket_group: no such group '%s'", cfg->socket_group);
			return false;
		}
		gid = gr->gr_gid;
	}
	return set_socket_mode_owner(path, cfg->socket_mode, uid, gid);
}

/*
 * The pidfile is written as root, often in a directory the unprivileged
 * user owns (/run/mxpolicy-milter): a symbolic link planted there must not
 * make root truncate and chown the file it points to.  O_NOFOLLOW refuses
 * a link (ELOOP); O_NONBLOCK a FIFO with no reader.  The file is truncated
 * only once fstat shows a regular file with one name (so not a hard link
 * to another file either), and chowned by descriptor, not by name.
 */
static bool write_pidfile(const char *path, const struct identity *id)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	char text[32];
	struct stat st;
	int len;

	if (fd < 0) {
		int err = errno;

		/* in a sticky directory the kernel may say EACCES before ELOOP */
		if (err == ELOOP || (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)))
			log_msg(LOG_ERR, "pidfile %s: is a symbolic link; refusing to follow it",
				path);
		else
			log_msg(LOG_ERR, "pidfile %s: %s", path, strerror(err));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		log_msg(LOG_ERR, "pidfile %s: not a regular file with a single name; "
			"refusing to write it", path);
		close(fd);
		return false;
	}
	len = snprintf(text, sizeof text, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || write(fd, text, (size_t)len) != len) {
		log_msg(LOG_ERR, "pidfile %s: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	/* So that the unprivileged process can remove it at exit. */
	if (id != NULL && fchown(fd, id->uid, id->gid) != 0)
		log_msg(LOG_WARNING, "pidfile %s: cannot chown: %s", path, strerror(errno));
	if (close(fd) != 0) {
		log_msg(LOG_ERR, "pidfile %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

static bool drop_privileges(const struct identity *id)
{
	if (setgroups(1, &id->gid) != 0 || setgid(id->gid) != 0 || setuid(id->uid) != 0) {
		log_msg(LOG_ERR, "cannot become user %s: %s", id->name, strerror(errno));
		return false;
	}
	if (id->uid != 0 && setuid(0) == 0) {
		log_msg(LOG_ERR, "privileges could be regained after dropping them");
		return false;
	}
	log_msg(LOG_INFO, "running as user %s (uid %ld, gid %ld)", id->name,
		(long)id->uid, (long)id->gid);
	return true;
}

static void check_config_file_safety(void)
{
	struct stat st;

	if (stat(opts.config_path, &st) == 0 && (st.st_mode & S_IWOTH))
		log_msg(LOG_WARNING, "%s is writable by everyone: anyone can change the policy",
			opts.config_path);
	if (access(opts.config_path, R_OK) != 0)
		log_msg(LOG_WARNING, "%s is not readable by this user: reloads will fail",
			opts.config_path);
}

static bool daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return false;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		return false;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return true;
}

/* Opens the listening socket while still root. */
static bool open_socket(const char *sock)
{
	if (smfi_register(mxp_filter) == MI_FAILURE) {
		log_msg(LOG_ERR, "smfi_register failed");
		return false;
	}
	if (smfi_setconn((char *)(uintptr_t)sock) == MI_FAILURE) {
		log_msg(LOG_ERR, "invalid socket '%s'", sock);
		return false;
	}
	if (smfi_opensocket(true) == MI_FAILURE) {
		char why[160];

		/* libmilter keeps bind's errno from us: look at the port itself */
		if (portowner_explain(sock, why, sizeof why))
			log_msg(LOG_ERR, "cannot listen on %s: %s; give this filter another "
				"socket (-p or socket =)", sock, why);
		else
			log_msg(LOG_ERR, "cannot listen on %s: %s", sock, strerror(errno));
		return false;
	}
	no_delay_on_listener();
	return true;
}

static bool config_published;

static int serve(struct config *cfg)
{
	const char *sock = opts.socket ? opts.socket : cfg->socket;
	struct identity id, *idp = NULL;
	int rc;

	if (opts.user != NULL) {
		if (!lookup_identity(opts.user, &id))
			return EXIT_USAGE;
		idp = &id;
	}
	log_open("mxpolicy-milter", cfg->log_facility, log_to_stderr());
	log_set_level(cfg->log_level);
	block_reload_signals();
	if (!opts.foreground && !daemonize())
		return EXIT_SOFTWARE;
	if (!open_socket(sock) || !prepare_unix_socket(cfg, sock, idp))
		return EXIT_SOFTWARE;
	if (opts.pidfile != NULL && !write_pidfile(opts.pidfile, idp))
		return EXIT_SOFTWARE;
	if (idp != NULL && !drop_privileges(idp))
		return EXIT_SOFTWARE;
	if (geteuid() == 0)
		log_msg(LOG_WARNING, "running as root: give -u USER to drop privileges");
	check_config_file_safety();
	struct dns_settings ds = dns_settings_of(cfg);

	dns_set_reporter(log_dns_report);
	if (!dns_start(&ds)) {
		log_msg(LOG_ERR, "cannot start the DNS engine");
		return EXIT_SOFTWARE;
	}
	verifier_start(cfg);
	config_publish(cfg);
	config_published = true;
	__atomic_store_n(&started_with, config_acquire(), __ATOMIC_RELEASE);
	serving_on = sock;
	if (!start_signal_thread())
		return EXIT_SOFTWARE;
	log_msg(LOG_NOTICE, "mxpolicy-milter %s listening on %s (config %s)",
		PACKAGE_VERSION, sock, opts.config_path);
	notify_ready(sock);
	rc = smfi_main();
	notify_stopping();
	log_msg(LOG_NOTICE, "stopping (libmilter returned %d)", rc);
	struct config *last = config_acquire();

	write_stats(last);
	config_release(last);
	dns_stop();
	verifier_close();
	if (opts.pidfile != NULL)
		unlink(opts.pidfile);
	return rc == MI_SUCCESS ? 0 : EXIT_SOFTWARE;
}

/*
 * -t -u USER: the check reads the file as the filter will once it has
 * dropped to USER, so that a file only root can read fails the check (and
 * with it systemctl reload) instead of the filter's own reload.
 */
static int check_as_user(void)
{
	struct identity id;

	if (opts.user == NULL)
		return 0;
	if (!lookup_identity(opts.user, &id))
		return EXIT_USAGE;
	if (geteuid() == id.uid)
		return 0;
	if (setgroups(1, &id.gid) != 0 || setgid(id.gid) != 0 || setuid(id.uid) != 0) {
		fprintf(stderr, "mxpolicy-milter: -t -u: cannot become user %s: %s\n", id.name,
			strerror(errno));
		return EXIT_USAGE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct config *cfg;
	int rc = parse_args(argc, argv);

	if (rc != 0)
		return opts.query_client ? QUERY_ERROR : rc;
	if (opts.quiet_check && (rc = check_as_user()) != 0)
		return rc;
	cfg = load_or_report();
	if (cfg == NULL)
		return opts.query_client ? QUERY_ERROR : EXIT_CONFIG;
	if (opts.query_client != NULL) {
		struct query q = {opts.query_client, opts.query_helo, opts.query_rcpt, opts.query_local,
				  opts.query_mta, opts.query_from, opts.query_live};
		struct dns_settings ds = dns_settings_of(cfg);

		return query_run(cfg, &ds, &q);
	}
	if (opts.socket != NULL) {
		struct config_errors errs = {0};
		char line[600];
		struct config *probe;

		/* Validate -p with the same rules as the socket option. */
		snprintf(line, sizeof line, "socket = %s\n", opts.socket);
		probe = config_parse_string("-p", line, &errs);
		if (probe == NULL) {
			print_errors(stderr, &errs);
			config_errors_clear(&errs);
			config_free(cfg);
			return EXIT_USAGE;
		}
		config_free(probe);
	}
	if (opts.quiet_check) {
		config_free(cfg);
		return 0;
	}
	if (opts.check_only) {
		if (opts.check_only > 1)
			config_print_annotated(cfg, stdout);
		else
			config_print(cfg, stdout);
		config_free(cfg);
		return 0;
	}
	rc = serve(cfg);
	/* Until published, the configuration is still ours (a start that failed). */
	if (!config_published)
		config_free(cfg);
	return rc;
}
