package dev.jbert.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** One {@code local[2]} session for every test class of the module (starting one takes seconds). */
final class SparkTests {

  private static SparkSession session;

  private SparkTests() {}

  static synchronized SparkSession spark() {
    if (session == null) {
      session = SparkSession.builder()
          .master("local[2]")
          .appName("jbert-spark-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.shuffle.partitions", "4")
          .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
    }
    return session;
  }

  /** Rows (id: long, text: string) from {@code texts}, ids 0..n-1 in order, cut into {@code partitions}. */
  static Dataset<Row> texts(List<String> texts, int partitions) {
    List<Row> rows = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      rows.add(RowFactory.create((long) i, texts.get(i)));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType, false).add("text", DataTypes.StringType, true);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
    return spark().createDataFrame(jsc.parallelize(rows, partitions), schema);
  }
}
