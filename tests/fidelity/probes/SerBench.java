import java.io.*;
import java.util.*;
import java.util.concurrent.*;

/** Serializes a HashMap<Long,Long> of N entries (as a heap keyed-state snapshot does: key, value as
 * longs into a buffered stream) alone, then with 2 and 4 threads at once; prints per-thread ms. */
public class SerBench {
  static long work(Map<Long, Long> m) throws IOException {
    ByteArrayOutputStream bo = new ByteArrayOutputStream(1 << 16);
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(bo, 4096));
    long t = System.nanoTime();
    for (Map.Entry<Long, Long> e : m.entrySet()) { out.writeLong(e.getKey()); out.writeLong(e.getValue()); }
    out.flush();
    return System.nanoTime() - t;
  }
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[0]);
    List<Map<Long, Long>> maps = new ArrayList<>();
    Random r = new Random(1);
    for (int i = 0; i < 4; i++) { Map<Long, Long> m = new HashMap<>(); for (int k = 0; k < n; k++) m.put(r.nextLong(), r.nextLong()); maps.add(m); }
    for (int w = 0; w < 300; w++) work(maps.get(w % 4)); // JIT warm-up
    ExecutorService ex = Executors.newFixedThreadPool(4);
    for (int threads : new int[] {1, 2, 4, 1}) {
      List<Long> ts = new ArrayList<>();
      for (int rep = 0; rep < 40; rep++) {
        CyclicBarrier b = new CyclicBarrier(threads);
        List<Future<Long>> fs = new ArrayList<>();
        for (int i = 0; i < threads; i++) { final int j = i; fs.add(ex.submit(() -> { b.await(); return work(maps.get(j)); })); }
        for (Future<Long> f : fs) ts.add(f.get());
        Thread.sleep(50);
      }
      Collections.sort(ts);
      System.out.printf("threads %d: per-thread p50 %.2f ms (p10 %.2f, p90 %.2f)%n", threads, ts.get(ts.size() / 2) / 1e6, ts.get(ts.size() / 10) / 1e6, ts.get(9 * ts.size() / 10) / 1e6);
    }
    ex.shutdown();
  }
}
