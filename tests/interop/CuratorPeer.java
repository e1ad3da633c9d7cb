import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
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
 * </pre>
 *
 * The latch listener prints "leader" and "not-leader" as Curator calls it. A failed command
 * prints "error COMMAND: EXCEPTION". The peer exits when stdin closes.
 */
public final class CuratorPeer {
  // InterProcessMutex is owned by the thread that acquired it: every mutex
  // operation runs on this one thread, so stdin stays free while it waits.
  private final ExecutorService mutexThread = Executors.newSingleThreadExecutor();
  private final CuratorFramework client;
  // Both are only touched by the stdin thread (the mutex thread gets its own reference).
  private InterProcessMutex mutex;
  private LeaderLatch latch;

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
