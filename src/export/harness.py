# ---------------------------------------------------------------------------------------------
# The harness: a shared clock, one thread per client, faults, and the observations printed.
# Nothing in here is RabbitMQ knowledge; the scenario's own pika code is further down.
# ---------------------------------------------------------------------------------------------

SLICE = 0.02  # real seconds: how often a waiting client looks at its clock
CURRENT = {'scale': TIME_SCALE}


def ms(milliseconds):
    """A broker-side time in milliseconds (x-message-ttl, x-expires, expiration), scaled like
    every other time of the scenario."""
    return int(round(milliseconds * CURRENT['scale']))


class Crash(Exception):
    """A crash fault (or a `crash` rule): this client's process dies now."""


class Failure(Exception):
    """The client's own code failed on a message (as the article's RPC server does)."""


class Stop(Exception):
    """The run is over."""


class Clock:
    """Simulated seconds, scaled: t simulated seconds are t * scale real seconds after the
    start. The clock stands still while the broker is being stopped or started."""

    def __init__(self, scale):
        self.scale = scale
        self.t0 = None
        self.offset = 0.0
        self.paused_at = None
        self.lock = threading.Lock()

    def _real(self):
        with self.lock:
            m = time.monotonic() if self.paused_at is None else self.paused_at
            return m - self.t0 - self.offset

    def now(self):
        return 0.0 if self.t0 is None else self._real() / self.scale

    def paused(self):
        with self.lock:
            return self.paused_at is not None

    def pause(self):
        with self.lock:
            if self.paused_at is None:
                self.paused_at = time.monotonic()

    def resume(self):
        with self.lock:
            if self.paused_at is not None:
                self.offset += time.monotonic() - self.paused_at
                self.paused_at = None

    def remaining(self, t):
        """Real seconds until simulated time t (never less than 0)."""
        return max(0.0, t * self.scale - self._real())


class Run:
    def __init__(self, args):
        self.args = args
        self.clock = Clock(args.time_scale)
        self.out = threading.Lock()
        self.over = threading.Event()
        self.closing = threading.Event()
        self.broker_up = threading.Event()
        self.broker_up.set()
        self.broker_up_at = 0.0
        self.go = threading.Event()  # the clock has started
        self.clients = []
        self.params = pika.ConnectionParameters(
            host=args.host,
            port=args.port,
            virtual_host=args.vhost,
            credentials=pika.PlainCredentials(args.user, args.password),
            heartbeat=0,
            blocked_connection_timeout=None,
            connection_attempts=1,
            socket_timeout=5,
        )

    def emit(self, kind, **fields):
        line = {'t': round(self.clock.now(), 3), 'kind': kind}
        line.update(fields)
        with self.out:
            print(json.dumps(line, ensure_ascii=False), flush=True)

    def sleep_until(self, t, pump=None, check=None):
        """Waits until simulated time t. `pump(seconds)` keeps a connection's I/O going while
        waiting; `check()` may raise (a crash falls due). Raises Stop when the run is over.
        Before the clock starts, time 0 has come and every later time waits."""
        while not self.go.is_set():
            if t <= 0:
                return
            if pump:
                pump(SLICE)
            else:
                time.sleep(SLICE)
        while True:
            if self.over.is_set():
                raise Stop()
            if check:
                check()
            left = self.clock.remaining(t)
            if left <= 0 and not self.clock.paused():
                return
            step = min(max(left, 0.001), SLICE)
            if pump:
                pump(step)
            else:
                time.sleep(step)


def decode(body):
    try:
        return body.decode('utf-8')
    except UnicodeDecodeError:
        return repr(body)


def abrupt_close(connection):
    """Closes the connection's socket without the AMQP close handshake, as the operating
    system does when a process dies: the broker sees the TCP connection end."""
    sock = None
    try:
        sock = connection._impl._transport._sock
    except AttributeError:
        pass
    if sock is None:
        try:
            connection.close()
        except Exception:
            pass
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class Client:
    """One producer, consumer or RPC client of the scenario: its own thread, its own
    connection, its crashes and restarts."""

    def __init__(self, name, program, start=0.0, reconnect=1.0, crashes=(), restarts=(), work_times=()):
        self.name = name
        self.program = program
        self.start = start
        self.reconnect = reconnect
        self.crashes = sorted(crashes)
        self.restarts = sorted(restarts)
        self.work_times = list(work_times)
        self.connection = None
        self.life_start = start
        self.next_crash = None
        self.index = 0  # its place in the scenario's order of clients
        self.due = None  # when its next life starts (the reconnects' turnstile)
        self.ready = threading.Event()  # connected and waiting for something: the next client may start
        self.stopped = threading.Event()  # the run is over for this client
        self.pending = {}  # an RPC client's calls waiting for a reply: correlation id -> call
        self.rule_uses = {}
        self.deliveries = 0
        self.actions = []  # (time, action) a client performs at times of its own, this life
        self.finished = 0  # ack_every: messages finished and not settled yet
        self.channel_error = False  # the broker closed a channel of this life (already said)
        self.thread = None
        self.run = None

    # ---- the clock, as this client sees it
    def _check(self):
        if self.next_crash is not None and self.run.clock.now() >= self.next_crash - 1e-9:
            self.next_crash = None
            raise Crash()

    def _pump(self, seconds):
        if self.connection is not None and self.connection.is_open:
            self.connection.process_data_events(time_limit=seconds)
        else:
            time.sleep(seconds)

    def _wait(self, t, pump=True):
        self.ready.set()
        while self.actions and self.actions[0][0] <= t:
            at, action = self.actions[0]
            self.run.sleep_until(at, self._pump if pump else None, self._check)
            # A callback the pump ran meanwhile may have performed it already (its work waits
            # here too, and the action fell due during that work).
            if self.actions and self.actions[0][1] is action:
                self.actions.pop(0)
                action()
        self.run.sleep_until(t, self._pump if pump else None, self._check)

    def now(self):
        return self.run.clock.now()

    # ---- what the scenario's code calls
    def connect(self):
        """A BlockingConnection of this client's own."""
        params = self.run.params
        params.client_properties = {'connection_name': self.name}
        self.connection = pika.BlockingConnection(params)
        self.run.emit('connected', client=self.name)
        opened = self.connection.channel

        def channel(*args, **kwargs):
            ch = opened(*args, **kwargs)
            ch._impl.add_on_close_callback(self._channel_closed)
            return ch

        self.connection.channel = channel
        return self.connection

    def _channel_closed(self, _channel, reason):
        """The broker closed one of this client's channels: said at once, even when the client's
        code makes no further call on it (a publish is asynchronous)."""
        if isinstance(reason, pika.exceptions.ChannelClosedByBroker) and not self.channel_error:
            self.channel_error = True
            self.run.emit('error', client=self.name, code=reason.reply_code, text=reason.reply_text, connection=False)

    # ---- what a consumer does at times of its own, ack_every, basic.get polling
    def plan(self, t, action):
        """Performs action() at simulated time t, whether the client is waiting or in the middle
        of a message's work (a timer of its own, as warren's clients have). An action that fell
        due while this client was down is not performed."""
        if t >= self.life_start - 1e-9:
            self.actions.append((t, action))
            self.actions.sort(key=lambda a: a[0])

    def batch(self, every):
        """ack_every: True once every `every` finished messages, when the client settles them
        all with multiple=True."""
        self.finished += 1
        if self.finished >= every:
            self.finished = 0
            return True
        return False

    def cancel(self, channel, tag):
        """basic.cancel, keeping what this client already holds: pika's BlockingChannel.basic_cancel
        would reject (requeue=True) the deliveries still waiting in its buffer, so the cancel goes
        through the underlying channel, after a round trip that reads in what the broker sent."""
        channel.exchange_declare(exchange='amq.direct', passive=True)
        done = []
        channel._impl.basic_cancel(consumer_tag=tag, callback=lambda frame: done.append(frame))
        channel._flush_output(lambda: bool(done))

    def ticks(self, at, every, until):
        """A basic.get poller's clock: yields at `at`, `at + every`, ... before `until`. A tick
        that falls due while the client was down, or while it is still working on the message
        of an earlier tick, is skipped; the first tick of a life is not skipped for the time
        connecting took (warren's client is connected at its start)."""
        due = at
        busy_until = None
        while due < until - 1e-9:
            if due >= self.life_start - 1e-9 and (busy_until is None or due >= busy_until - 1e-9):
                self._wait(due)
                yield due
                busy_until = self.now()
            due += every

    def get_empty(self):
        """basic.get-empty: the queue had nothing ready."""
        self.run.emit('get-empty', consumer=self.name)

    def schedule(self, at, every, count):
        """Yields n = 1 .. count, each when it falls due (at + (n - 1) * every). A message
        due while this client was down is not sent, as in warren."""
        for n in range(1, count + 1):
            due = at + (n - 1) * every
            if due < self.life_start - 1e-9:
                continue
            self._wait(due)
            yield n

    def at(self, t):
        """Waits until simulated time t. False if it fell due while this client was down."""
        if t < self.life_start - 1e-9:
            return False
        self._wait(t)
        return True

    def timetable(self, rows):
        """Yields each row (its first item is its time) when it falls due."""
        for row in rows:
            if row[0] < self.life_start - 1e-9:
                continue
            self._wait(row[0])
            yield row

    def work(self, seconds):
        """time.sleep(seconds), scaled, inside the callback: the connection is not serviced
        meanwhile, exactly as with the article's time.sleep()."""
        if self.work_times:
            seconds = self.work_times.pop(0)
        self._wait(self.now() + seconds, pump=False)

    def start_consuming(self, channel):
        """channel.start_consuming(), until the end of the run or a crash."""
        while True:
            self._wait(float('inf'))

    def idle(self):
        """Keeps the connection open (and serviced) until the end of the run or a crash."""
        while True:
            self._wait(float('inf'))

    def sent(self, exchange, routing_key, body):
        self.run.emit('publish', client=self.name, exchange=exchange, routing_key=routing_key, body=body)

    def delivered(self, method, properties, body):
        self.deliveries += 1
        self.run.emit('delivery', consumer=self.name, body=decode(body), redelivered=bool(method.redelivered))

    def on_return(self, channel, method, properties, body):
        """add_on_return_callback: a mandatory message came back (basic.return)."""
        self.run.emit('return', client=self.name, body=decode(body), reply_code=method.reply_code, reply_text=method.reply_text)

    def returned(self, messages):
        """UnroutableError in confirm mode: the messages came back before their ack."""
        for m in messages:
            self.run.emit('return', client=self.name, body=decode(m.body), reply_code=m.method.reply_code, reply_text=m.method.reply_text)

    def nacked(self, body):
        """NackError in confirm mode: the broker refused this publish (basic.nack). pika's
        NackError carries no message for a nack, so the body is given."""
        self.run.emit('nack', client=self.name, body=body)

    def call(self, corr_id, number):
        self.pending[corr_id] = number

    def reply(self, properties, body):
        """An RPC client's reply: kept if its correlation id is a call still waiting."""
        corr_id = properties.correlation_id
        accepted = corr_id in self.pending
        if accepted:
            del self.pending[corr_id]
        self.run.emit('reply', client=self.name, body=decode(body), correlation_id=corr_id, accepted=accepted)

    def uses(self, rule):
        return self.rule_uses.get(rule, 0)

    def use(self, rule):
        self.rule_uses[rule] = self.uses(rule) + 1

    def crash(self):
        """A `crash` rule: the process dies here, before acking."""
        raise Crash('rule')

    def fail(self, why):
        raise Failure(why)

    # ---- the thread
    def _live(self):
        """One life: connect, run the program, keep the connection until something ends it.
        Returns why it ended: 'stop', 'down' (crashed or failed) or 'lost' (broker side)."""
        self.next_crash = next((c for c in self.crashes if c >= self.life_start - 1e-9), None)
        self.actions, self.finished, self.channel_error = [], 0, False
        try:
            try:
                self._check()
                self.program(self)
                self.idle()
            except pika.exceptions.ChannelClosedByBroker as e:
                # The broker closed this client's channel; its connection stays open.
                if not self.channel_error:
                    self.channel_error = True
                    self.run.emit('error', client=self.name, code=e.reply_code, text=e.reply_text, connection=False)
                self.idle()
            except pika.exceptions.ChannelWrongStateError:
                # A call on a channel the broker already closed (said when it closed): as in
                # warren, the client sends nothing more on it.
                if not self.channel_error:
                    raise
                self.idle()
        except Stop:
            return 'stop'
        except Crash as e:
            self.run.emit('crash', client=self.name, why=str(e) or 'fault')
            abrupt_close(self.connection)
            return 'down'
        except pika.exceptions.ConnectionClosedByBroker as e:
            if e.reply_code == 320:  # CONNECTION_FORCED: the broker is shutting down
                self.run.emit('disconnected', client=self.name, why=e.reply_text)
                return 'lost'
            self.run.emit('error', client=self.name, code=e.reply_code, text=e.reply_text, connection=True)
            return 'down'
        except pika.exceptions.AMQPConnectionError as e:
            # The connection was lost (the broker stopped or crashed): reconnect later.
            self.run.emit('disconnected', client=self.name, why=type(e).__name__)
            return 'lost'
        except Exception as e:  # the client's own code failed (Failure, ValueError ...)
            self.run.emit('failed', client=self.name, why=str(e) if isinstance(e, Failure) else repr(e))
            abrupt_close(self.connection)
            return 'down'

    # Clients that reconnect at the same instant (after a broker restart) do it one after the
    # other, in the scenario's order, as warren's do: each waits until those before it are
    # ready again (subscribed, or waiting for their next publish), as at the start.
    def _queue_for(self, t):
        self.ready.clear()
        self.due = t

    def _turnstile(self, t):
        if self.due is None or abs(self.due - t) > 1e-6:
            return
        for other in self.run.clients[:self.index]:
            if other.due is not None and abs(other.due - t) < 1e-6:
                other.ready.wait(10)

    def _crash_while_away(self, since, until):
        """The first crash due at or after `since` and before `until`, while the client has
        no connection and waits to reconnect."""
        return next((c for c in self.crashes if since - 1e-9 <= c < until - 1e-9), None)

    def _next_restart(self):
        now = self.now()
        return next((r for r in self.restarts if r >= now - 1e-9), None)

    def main(self):
        t = self.start
        restarting = False
        try:
            while t is not None:
                try:
                    self.run.sleep_until(t)
                except Stop:
                    break
                self._turnstile(t)
                if restarting:
                    self.run.emit('restart', client=self.name)
                self.life_start = t
                why = self._live()
                self.ready.set()
                if why == 'stop':
                    break
                self.connection = None
                restarting = why == 'down'
                if why == 'down' or self.reconnect is None:
                    t = self._next_restart()
                    restarting = True
                    continue
                # The connection was lost: try again `reconnect` after the broker is back,
                # unless the process crashes while it waits (then, as in warren, it stays
                # down until its next restart).
                lost_at = self.now()
                while not self.run.broker_up.wait(SLICE):
                    if self.run.over.is_set():
                        return
                    if self._crash_while_away(lost_at, self.now()) is not None:
                        break
                t = None
                if self.run.broker_up.is_set():
                    # From the instant the broker came back (not from when this thread woke
                    # up), so that clients due together are due at the same time.
                    back = self.run.broker_up_at
                    t = (back if back >= lost_at - 1e-9 else self.now()) + self.reconnect
                self._queue_for(t)
                crash = self._crash_while_away(lost_at, float('inf') if t is None else t)
                if crash is not None:
                    try:
                        self.run.sleep_until(crash)
                    except Stop:
                        break
                    self.run.emit('crash', client=self.name, why='fault')
                    self.due = None
                    self.ready.set()
                    t = self._next_restart()
                    restarting = True
        finally:
            self.ready.set()
            self.stopped.set()
            self.run.closing.wait()
            if self.connection is not None:
                try:
                    self.connection.close()
                except Exception:
                    pass


def broker_command(run, action):
    cmd = run.args.broker_restart_cmd
    if not cmd:
        run.emit('broker', action=action, skipped=True, why='no --broker-restart-cmd given')
        return
    run.clock.pause()
    try:
        if action != 'start':
            run.broker_up.clear()
        done = subprocess.run('%s %s' % (cmd, action), shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            run.emit('broker', action=action, skipped=False, error=done.stderr.strip()[-500:])
    finally:
        run.clock.resume()
    run.emit('broker', action=action, skipped=False)
    if action == 'start':
        run.broker_up_at = run.clock.now()
        run.broker_up.set()


# The broker settings a scenario changes (`broker: consumer_timeout, channel_tick_interval`) are
# the node's application environment: set with `CMD eval EXPR` (the --broker-restart-cmd) before
# the clients connect, scaled like every other time, and put back as soon as possible: a
# channel reads consumer_timeout when it opens, channel_tick_interval on each tick.
ENV_VALUE = re.compile(r'^(\{ok,-?\d+\}|undefined)$')


def broker_eval(run, expr):
    cmd = run.args.broker_restart_cmd
    done = subprocess.run('%s eval %s' % (cmd, shlex.quote(expr)), shell=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError('%s eval failed: %s' % (cmd, done.stderr.strip()[-300:]))
    return done.stdout.strip()


def set_broker_env(run, settings):
    """Sets each rabbit application setting (simulated seconds, scaled to ms); returns what
    each was before, to restore."""
    if not settings:
        return {}
    if not run.args.broker_restart_cmd:
        run.emit('note', text='not performed: broker settings %s need --broker-restart-cmd' % sorted(settings))
        return {}
    old = {}
    for key, seconds in sorted(settings.items()):
        before = broker_eval(run, 'application:get_env(rabbit, %s).' % key)
        if not ENV_VALUE.match(before):
            raise RuntimeError('unexpected %s: %r' % (key, before))
        old[key] = before
        broker_eval(run, 'application:set_env(rabbit, %s, %d).' % (key, int(round(seconds * 1000 * CURRENT['scale']))))
    return old


def restore_broker_env(run, old, keys):
    for key in keys:
        if key in old:
            before = old.pop(key)
            if before == 'undefined':
                broker_eval(run, 'application:unset_env(rabbit, %s).' % key)
            else:
                broker_eval(run, 'application:set_env(rabbit, %s, %s).' % (key, before[4:-1]))


def faults_thread(run, faults):
    try:
        for at, action in faults:
            run.sleep_until(at)
            broker_command(run, action)
    except Stop:
        pass


def notes_thread(run, notes):
    """Prints each note at its time. A question's answer travels hex-encoded, so that reading
    the script does not give it away, and is printed with its question."""
    try:
        for at, text, *answer in notes:
            run.sleep_until(at)
            if answer:
                text += bytes.fromhex(answer[0]).decode('utf-8')
            run.emit('note', text=text)
    except Stop:
        pass


def report_queues(run, names):
    """The final contents of each named queue, head first, read without losing anything:
    every ready message is taken with basic.get (no ack) and all of them go back when the
    channel closes -- in their order, now flagged redelivered. Queues are read after the last
    observation, while every client is still connected, so unacked messages are not counted."""
    connection = pika.BlockingConnection(run.params)
    try:
        for name in names:
            channel = connection.channel()
            try:
                declared = channel.queue_declare(queue=name, passive=True)
            except pika.exceptions.ChannelClosedByBroker:
                run.emit('queue', queue=name, exists=False, messages=[])
                continue
            bodies = []
            try:
                while True:
                    method, properties, body = channel.basic_get(queue=name, auto_ack=False)
                    if method is None:
                        break
                    bodies.append(decode(body))
            except pika.exceptions.ChannelClosedByBroker as e:
                if e.reply_code != 405 or bodies:
                    raise
                # A quorum queue with single active consumer refuses basic.get, and a new
                # consumer would not be its active one: only the ready count can be read.
                run.emit('queue', queue=name, exists=True, count=declared.method.message_count)
                continue
            run.emit('queue', queue=name, exists=True, messages=bodies)
            channel.close()
    finally:
        connection.close()


def arguments():
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--host', default=env('RABBITMQ_HOST', '127.0.0.1'))
    p.add_argument('--port', type=int, default=int(env('RABBITMQ_PORT', '5672')))
    p.add_argument('--user', default=env('RABBITMQ_USER', 'guest'))
    p.add_argument('--password', default=env('RABBITMQ_PASSWORD', 'guest'))
    p.add_argument('--vhost', default=env('RABBITMQ_VHOST', '/'))
    p.add_argument('--time-scale', type=float, default=float(env('WARREN_TIME_SCALE', str(TIME_SCALE))),
                   help='real seconds per simulated second (default %(default)s)')
    p.add_argument('--broker-restart-cmd', default=env('WARREN_BROKER_RESTART_CMD'),
                   help='run as "CMD stop", "CMD crash" and "CMD start" for the broker faults; each returns when done')
    return p.parse_args()


def main(setup, clients, broker_faults, notes, queues, end, broker_env=None):
    args = arguments()
    if args.time_scale <= 0:
        sys.exit('--time-scale must be more than 0')
    CURRENT['scale'] = args.time_scale
    run = Run(args)
    try:
        connection = pika.BlockingConnection(run.params)
    except pika.exceptions.AMQPConnectionError as e:
        print('error: no RabbitMQ broker at %s:%d (%r). Start one, e.g. `rabbitmq-server -detached`, '
              'or say where it is with --host/--port.' % (args.host, args.port, e), file=sys.stderr)
        sys.exit(2)
    setup(connection.channel())
    connection.close()
    old_env = set_broker_env(run, broker_env or {})
    try:
        run_clients(run, clients, broker_faults, notes, queues, end, old_env)
    finally:
        restore_broker_env(run, old_env, sorted(old_env))


def run_clients(run, clients, broker_faults, notes, queues, end, old_env):
    run.emit('start', scenario=SCENARIO, time_scale=run.args.time_scale, end=end)
    run.clients = clients
    for i, c in enumerate(clients):
        c.run = run
        c.index = i
        c.thread = threading.Thread(target=c.main, name=c.name, daemon=True)
    # Clients due at the same time connect one after the other, in the scenario's order, as
    # warren's do: each waits until the one before it is ready (subscribed, or waiting for its
    # first publish). The clock starts once the clients due at time 0 are ready.
    def start_clock():
        run.clock.t0 = time.monotonic()
        run.go.set()
        for target, items in ((faults_thread, broker_faults), (notes_thread, notes)):
            threading.Thread(target=target, args=(run, items), daemon=True).start()

    try:
        for c in sorted(clients, key=lambda c: c.start):
            if c.start > 0 and not run.go.is_set():
                start_clock()
            if run.go.is_set():
                run.sleep_until(c.start)
            c.thread.start()
            c.ready.wait(10)
    except Stop:
        pass
    if not run.go.is_set():
        start_clock()
    # The clients due at the start have their channels: the node's own timeout again.
    restore_broker_env(run, old_env, ['consumer_timeout'])
    try:
        run.sleep_until(end)
    except Stop:
        pass
    run.over.set()
    running = [c for c in clients if c.thread.is_alive()]
    for c in running:
        c.stopped.wait(10)
    # A scenario that stops or crashes the broker without restarting it leaves it down: it is
    # started again here, so that the queues can be read (warren reads them as the broker
    # would recover them) and the next run finds a broker.
    if not run.broker_up.is_set() and run.args.broker_restart_cmd:
        broker_command(run, 'start')
    # Every client has stopped (each still holds its connection): read the queues.
    try:
        report_queues(run, queues)
    except pika.exceptions.AMQPError as e:
        run.emit('error', client='report', code=0, text=repr(e), connection=True)
    run.closing.set()
    for c in running:
        c.thread.join(10)
    run.emit('end')
