import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.barriers.DistributedDoubleBarrier;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.MultiItem;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.recipes.shared.SharedCountListener;
import org.apache.curator.framework.recipes.shared.SharedCountReader;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;

/**
 * A Curator 5 participant steered by a C++ test through a line protocol.
 *
 * <p>Usage: CuratorPeer CONNECT_STRING. Prints "ready" once connected, then reads one command a
 * line from stdin and answers on stdout, one line each, flushed:
 *
 * <pre>
 * mutex-acquire PATH [TIMEOUT_MS] -> acquired | timeout   (answered when it happens)
 * mutex-release                   -> released
 * mutex-participants              -> mutex-participants NODE,NODE,...   (Curator's order)
 * latch-start PATH ID             -> latch-started
 * latch-close                     -> latch-closed
 * has-leadership                  -> leadership true | leadership false
 * latch-participants              -> participants leader=ID ids=ID,ID,...
 * queue-producer PATH             -> queue-producer-started   (a DistributedQueue, no consumer)
 * queue-put ITEM                  -> queue-put   (one node; returns once it is created)
 * queue-put-multi ITEM,ITEM,...   -> queue-put   (one node holding all the items)
 * queue-consume PATH              -> queue-consumer-started
 * count-start PATH SEED           -> count-started   (a SharedCount)
 * count-get                       -> count VALUE VERSION   (remembered for count-try-set)
 * count-set VALUE                 -> count-set
 * count-try-set VALUE             -> try-set true | try-set false   (on the version last got)
 * long-increment PATH N           -> long-incremented N   (DistributedAtomicLong, in the background)
 * long-get PATH                   -> long VALUE
 * dbarrier-enter NAME PATH QTY    -> dbarrier-entered NAME   (DistributedDoubleBarrier NAME)
 * dbarrier-leave NAME             -> dbarrier-left NAME
 * ping                            -> pong
 * </pre>
 *
 * The latch listener prints "leader" and "not-leader" as Curator calls it, the queue consumer
 * "queue-item ITEM" for each item it consumes, the count listener "count-changed VALUE". Every
 * wait of a barrier is bounded ("dbarrier-timeout NAME"). A failed command prints "error
 * COMMAND: EXCEPTION". The peer exits when stdin closes.
 */
public final class CuratorPeer {
  // InterProcessMutex is owned by the thread that acquired it: every mutex
  // operation runs on this one thread, so stdin stays free while it waits.
  private final ExecutorService mutexThread = Executors.newSingleThreadExecutor();
  private final CuratorFramework client;
  // Both are only touched by the stdin thread (the mutex thread gets its own reference).
  private InterProcessMutex mutex;
  private LeaderLatch latch;
  private DistributedQueue<String> producer;
  private DistributedQueue<String> consumer;
  private SharedCount count;
  private VersionedValue<Integer> countSeen;
  // Blocking recipes (barrier members, counter loops) each get a thread of their own.
  private final Map<String, ExecutorService> workers = new HashMap<>();
  private final Map<String, DistributedDoubleBarrier> barriers = new HashMap<>();

  private static final long BARRIER_WAIT_SECONDS = 60;
  private static final int INCREMENT_TRIES = 1000;

  private static final QueueSerializer<String> UTF8 =
      new QueueSerializer<String>() {
        @Override
        public byte[] serialize(String item) {
          return item.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(byte[] bytes) {
          return new String(bytes, StandardCharsets.UTF_8);
        }
      };

  private CuratorPeer(String connectString) {
    client =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs(10_000)
            .connectionTimeoutMs(5_000)
            .retryPolicy(new RetryNTimes(5, 200))
            .build();
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: CuratorPeer CONNECT_STRING");
      System.exit(2);
    }
    CuratorPeer peer = new CuratorPeer(args[0]);
    peer.client.start();
    if (!peer.client.blockUntilConnected(20, TimeUnit.SECONDS)) {
      say("error connect: not connected to " + args[0] + " within 20 s");
      System.exit(1);
    }
    say("ready");
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      try {
        peer.handle(line.trim().split("\\s+"));
      } catch (Exception e) {
        say("error " + line + ": " + e);
      }
    }
    // stdin closed: the session's end deletes whatever nodes we still have.
    peer.mutexThread.shutdownNow();
    for (ExecutorService worker : peer.workers.values()) worker.shutdownNow();
    if (peer.consumer != null) peer.consumer.close();
    if (peer.producer != null) peer.producer.close();
    if (peer.count != null) peer.count.close();
    peer.client.close();
    System.exit(0);
  }

  private void handle(String[] cmd) throws Exception {
    switch (cmd[0]) {
      case "mutex-acquire":
        {
          if (mutex == null) mutex = new InterProcessMutex(client, cmd[1]);
          long timeoutMs = cmd.length > 2 ? Long.parseLong(cmd[2]) : -1;
          InterProcessMutex m = mutex;
          onMutexThread(cmd, () -> acquire(m, timeoutMs));
          break;
        }
      case "mutex-release":
        {
          InterProcessMutex m = mutex;
          onMutexThread(
              cmd,
              () -> {
                m.release();
                say("released");
              });
          break;
        }
      case "mutex-participants":
        say("mutex-participants " + String.join(",", mutex.getParticipantNodes()));
        break;
      case "latch-start":
        startLatch(cmd[1], cmd[2]);
        break;
      case "latch-close":
        latch.close(LeaderLatch.CloseMode.NOTIFY_LEADER);
        say("latch-closed");
        break;
      case "has-leadership":
        say("leadership " + (latch != null && latch.hasLeadership()));
        break;
      case "latch-participants":
        {
          List<String> ids = new ArrayList<>();
          for (Participant p : latch.getParticipants()) ids.add(p.getId());
          say("participants leader=" + latch.getLeader().getId() + " ids=" + String.join(",", ids));
          break;
        }
      case "queue-producer":
        producer = QueueBuilder.builder(client, null, UTF8, cmd[1]).putInBackground(false).buildQueue();
        producer.start();
        say("queue-producer-started");
        break;
      case "queue-put":
        producer.put(cmd[1]);
        say("queue-put");
        break;
      case "queue-put-multi":
        {
          List<String> items = new ArrayList<>(Arrays.asList(cmd[1].split(",")));
          MultiItem<String> multi = () -> items.isEmpty() ? null : items.remove(0);
          producer.putMulti(multi);
          say("queue-put");
          break;
        }
      case "queue-consume":
        consumer = QueueBuilder.builder(client, new Printer(), UTF8, cmd[1]).buildQueue();
        consumer.start();
        say("queue-consumer-started");
        break;
      case "count-start":
        startCount(cmd[1], Integer.parseInt(cmd[2]));
        break;
      case "count-get":
        countSeen = count.getVersionedValue();
        say("count " + countSeen.getValue() + " " + countSeen.getVersion());
        break;
      case "count-set":
        count.setCount(Integer.parseInt(cmd[1]));
        say("count-set");
        break;
      case "count-try-set":
        say("try-set " + count.trySetCount(countSeen, Integer.parseInt(cmd[1])));
        break;
      case "long-increment":
        {
          DistributedAtomicLong counter = atomicLong(cmd[1]);
          int n = Integer.parseInt(cmd[2]);
          inBackground("long", cmd, () -> increment(counter, n));
          break;
        }
      case "long-get":
        {
          AtomicValue<Long> v = atomicLong(cmd[1]).get();
          if (!v.succeeded()) throw new IllegalStateException("get did not succeed");
          say("long " + v.postValue());
          break;
        }
      case "dbarrier-enter":
        {
          String name = cmd[1];
          DistributedDoubleBarrier b =
              new DistributedDoubleBarrier(client, cmd[2], Integer.parseInt(cmd[3]));
          barriers.put(name, b);
          inBackground(name, cmd, () -> barrierStep(name, b, true));
          break;
        }
      case "dbarrier-leave":
        {
          String name = cmd[1];
          DistributedDoubleBarrier b = barriers.get(name);
          inBackground(name, cmd, () -> barrierStep(name, b, false));
          break;
        }
      case "ping":
        say("pong");
        break;
      default:
        say("error " + String.join(" ", cmd) + ": unknown command");
    }
  }

  private interface Action {
    void run() throws Exception;
  }

  private void onMutexThread(String[] cmd, Action action) {
    mutexThread.execute(
        () -> {
          try {
            action.run();
          } catch (Exception e) {
            say("error " + String.join(" ", cmd) + ": " + e);
          }
        });
  }

  private void inBackground(String worker, String[] cmd, Action action) {
    workers
        .computeIfAbsent(worker, w -> Executors.newSingleThreadExecutor())
        .execute(
            () -> {
              try {
                action.run();
              } catch (Exception e) {
                say("error " + String.join(" ", cmd) + ": " + e);
              }
            });
  }

  private static void barrierStep(String name, DistributedDoubleBarrier b, boolean entering)
      throws Exception {
    boolean done =
        entering
            ? b.enter(BARRIER_WAIT_SECONDS, TimeUnit.SECONDS)
            : b.leave(BARRIER_WAIT_SECONDS, TimeUnit.SECONDS);
    say((done ? (entering ? "dbarrier-entered " : "dbarrier-left ") : "dbarrier-timeout ") + name);
  }

  private static final class Printer implements QueueConsumer<String> {
    @Override
    public void consumeMessage(String item) {
      say("queue-item " + item);
    }

    @Override
    public void stateChanged(CuratorFramework c, ConnectionState state) {}
  }

  private void startCount(String path, int seed) throws Exception {
    count = new SharedCount(client, path, seed);
    count.addListener(
        new SharedCountListener() {
          @Override
          public void countHasChanged(SharedCountReader reader, int value) {
            say("count-changed " + value);
          }

          @Override
          public void stateChanged(CuratorFramework c, ConnectionState state) {}
        });
    count.start();
    say("count-started");
  }

  private DistributedAtomicLong atomicLong(String path) {
    return new DistributedAtomicLong(client, path, new RetryNTimes(20, 1));
  }

  // Each increment is tried until it succeeds (bounded): contention with the
  // other side's updates makes single tries fail.
  private static void increment(DistributedAtomicLong counter, int n) throws Exception {
    for (int i = 0; i < n; ++i) {
      int tries = 0;
      while (!counter.increment().succeeded()) {
        if (++tries == INCREMENT_TRIES)
          throw new IllegalStateException("increment failed " + INCREMENT_TRIES + " times");
      }
    }
    say("long-incremented " + n);
  }

  private static void acquire(InterProcessMutex m, long timeoutMs) throws Exception {
    if (timeoutMs < 0) {
      m.acquire();
      say("acquired");
    } else {
      say(m.acquire(timeoutMs, TimeUnit.MILLISECONDS) ? "acquired" : "timeout");
    }
  }

  private void startLatch(String path, String id) throws Exception {
    latch = new LeaderLatch(client, path, id);
    latch.addListener(
        new LeaderLatchListener() {
          @Override
          public void isLeader() {
            say("leader");
          }

          @Override
          public void notLeader() {
            say("not-leader");
          }
        });
    latch.start();
    say("latch-started");
  }
}
