import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * The lock workload of zkpp-bench (--op lock) through Apache Curator's InterProcessMutex: K
 * contenders, one session each, each acquiring and releasing the lock M times; prints the same
 * RESULT line as zkpp-bench, so bench/lock_compare.sh sets the two side by side.
 *
 * <p>Usage: CuratorLockBench --host HOSTS [--clients K] [--cycles M] [--time-limit S]
 */
public final class CuratorLockBench {
  public static void main(String[] args) throws Exception {
    String hosts = null;
    int clients = 1;
    long cycles = 100;
    double timeLimit = 60;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--host" -> hosts = args[i + 1];
        case "--clients" -> clients = Integer.parseInt(args[i + 1]);
        case "--cycles" -> cycles = Long.parseLong(args[i + 1]);
        case "--time-limit" -> timeLimit = Double.parseDouble(args[i + 1]);
        default -> usage("unknown option " + args[i]);
      }
    }
    if (hosts == null || clients < 1 || cycles < 1 || args.length % 2 != 0) usage("bad arguments");

    List<CuratorFramework> sessions = new ArrayList<>();
    for (int i = 0; i < clients; ++i) {
      CuratorFramework c =
          CuratorFrameworkFactory.newClient(hosts, new ExponentialBackoffRetry(100, 3));
      c.start();
      if (!c.blockUntilConnected(20, TimeUnit.SECONDS)) usage("cannot connect to " + hosts);
      sessions.add(c);
    }
    String path = "/curator-lock-bench-" + ProcessHandle.current().pid() + "/lock";
    long[][] latencies = new long[clients][];
    long[] done = new long[clients];
    boolean[] truncated = new boolean[clients];
    long[] errors = new long[clients];
    long start = System.nanoTime();
    long limit = start + (long) (timeLimit * 1e9);
    final long cyclesPerClient = cycles;
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; ++i) {
      final int k = i;
      latencies[k] = new long[(int) cyclesPerClient];
      Thread t =
          new Thread(
              () -> {
                InterProcessMutex lock = new InterProcessMutex(sessions.get(k), path);
                try {
                  for (long n = 0; n < cyclesPerClient; ++n) {
                    long t0 = System.nanoTime();
                    if (t0 >= limit || !lock.acquire(limit - t0, TimeUnit.NANOSECONDS)) {
                      truncated[k] = true;
                      break;
                    }
                    latencies[k][(int) done[k]++] = (System.nanoTime() - t0) / 1000;
                    lock.release();
                  }
                } catch (Exception e) {
                  ++errors[k];
                  truncated[k] = true;
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) t.join();
    double secs = (System.nanoTime() - start) / 1e9;

    int total = 0;
    for (long d : done) total += (int) d;
    long[] all = new long[total];
    int at = 0;
    boolean anyTruncated = false;
    long allErrors = 0;
    for (int i = 0; i < clients; ++i) {
      System.arraycopy(latencies[i], 0, all, at, (int) done[i]);
      at += (int) done[i];
      anyTruncated |= truncated[i];
      allErrors += errors[i];
    }
    Arrays.sort(all);
    System.out.printf(
        "RESULT client=curator op=lock window=1 clients=%d size=0 ops=%d secs=%.3f ops_per_s=%.0f"
            + " p50_us=%d p99_us=%d p999_us=%d max_us=%d errors=%d truncated=%d cycles=%d%n",
        clients, total, secs, total / secs, rank(all, 0.50), rank(all, 0.99), rank(all, 0.999),
        total == 0 ? 0 : all[total - 1], allErrors, anyTruncated ? 1 : 0, cycles);
    try {
      sessions.get(0).delete().deletingChildrenIfNeeded().forPath(path.substring(0, path.lastIndexOf('/')));
    } catch (Exception ignored) {
      // A container: the server may have reaped it already.
    }
    for (CuratorFramework c : sessions) c.close();
    System.exit(allErrors == 0 ? 0 : 1);
  }

  // Nearest-rank percentile, as zkpp-bench computes it.
  private static long rank(long[] sorted, double q) {
    if (sorted.length == 0) return 0;
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static void usage(String why) {
    System.err.println("CuratorLockBench: " + why);
    System.err.println(
        "usage: CuratorLockBench --host HOSTS [--clients K] [--cycles M] [--time-limit S]");
    System.exit(2);
  }
}
