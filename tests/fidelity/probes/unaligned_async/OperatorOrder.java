import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.shaded.guava33.com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.*;
public class OperatorOrder {
  public static void main(String[] a) {
    for (String[] chain : new String[][]{{"discard","stateful-map"},{"discard: Writer","stateful-map"},{"discard-Writer","stateful-map"},{"discard-writer","stateful-map"},{"Writer","stateful-map"}}) {
      Map<OperatorID,String> m = org.apache.flink.util.CollectionUtil.newHashMapWithExpectedSize(2);
      for (String uid : chain) {  // getAllOperators(true): tail first
        byte[] b = Hashing.murmur3_128(0).newHasher().putString(uid, StandardCharsets.UTF_8).hash().asBytes();
        OperatorID id = new OperatorID(b);
        m.put(id, uid);
        System.out.println(uid + " -> " + id + " hashCode " + id.hashCode());
      }
      System.out.println("iteration order: " + m.values());
    }
  }
}
