package dev.jbert.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.finetune.data.CsvTable;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.io.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The input of {@code jbert predict}, read on a thread of its own into a bounded queue, so that
 * answers never wait for the input to end: {@link #nextBatch} hands out what has arrived as soon as
 * the batch is full or a short wait has passed.
 *
 * <p>Every line becomes one {@link Line}, blank ones included, so the output can keep one line per
 * input line. A line that is not UTF-8 or not a JSON object is {@link Kind#BAD} (answered with an
 * error or stopping the run, as {@code --on-error} says); a stream that fails is {@link Kind#FATAL}
 * and ends the input.
 */
final class PredictInput implements AutoCloseable {

  /** What a {@link Line} holds. */
  enum Kind {
    /** A record to answer: {@link Line#fields} is set. */
    RECORD,
    /** An empty or blank line: answered by an empty line. */
    BLANK,
    /** A line that is not a JSON object: {@link Line#problem} says why. */
    BAD,
    /** The input cannot be read on: {@link Line#fatal} says why; nothing follows. */
    FATAL,
    /** The input ended. */
    END
  }

  /**
   * One input line, or one CSV/TSV record.
   *
   * @param number physical 1-based line where it starts
   * @param fields the record's fields (JSON values; CSV/TSV cells are strings), or null
   * @param problem for {@link Kind#BAD}: the message, starting with {@code source:line:}
   * @param fatal for {@link Kind#FATAL}: what to throw
   */
  record Line(long number, Kind kind, ObjectNode fields, String problem, RuntimeException fatal) {}

  private static final Line END = new Line(0, Kind.END, null, null, null);
  private static final long OFFER_POLL_MS = 100;

  private final Path source;
  private final boolean table;
  private final BlockingQueue<Line> queue;
  private volatile boolean closed;
  private boolean ended;

  private PredictInput(Path source, boolean table, int capacity) {
    this.source = source;
    this.table = table;
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  /**
   * JSON lines from {@code in} (stdin or a file), read as strict UTF-8 on a daemon thread.
   *
   * @param source what messages call the input: {@code stdin} or the file
   * @param capacity lines read ahead at most
   */
  static PredictInput jsonLines(InputStream in, Path source, int capacity) {
    PredictInput input = new PredictInput(source, false, capacity);
    input.start(() -> input.readJsonLines(in));
    return input;
  }

  /** The rows of a CSV/TSV table, each as an object of its cells by column name. */
  static PredictInput table(CsvTable rows, int capacity) {
    PredictInput input = new PredictInput(rows.file(), true, capacity);
    input.start(() -> input.readTable(rows));
    return input;
  }

  /** What messages call the input: {@code stdin} or the file. */
  Path source() {
    return source;
  }

  /** True for CSV/TSV input, whose cells are all strings (earlier turns joined by {@code |||}). */
  boolean isTable() {
    return table;
  }

  /**
   * The next lines to answer, in input order: waits for the first, then takes more until {@code
   * size} are there or {@code maxWaitNanos} have passed since the first arrived (lines already
   * waiting are always taken). Empty once the input has ended. A {@link Kind#FATAL} line is the last
   * of its batch.
   */
  List<Line> nextBatch(int size, long maxWaitNanos) throws InterruptedException {
    List<Line> batch = new ArrayList<>(size);
    if (ended) {
      return batch;
    }
    Line first = queue.take();
    if (first.kind() == Kind.END) {
      ended = true;
      return batch;
    }
    batch.add(first);
    long deadline = System.nanoTime() + maxWaitNanos;
    while (batch.size() < size && batch.get(batch.size() - 1).kind() != Kind.FATAL) {
      long left = deadline - System.nanoTime();
      Line next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
      if (next == null) {
        break;
      }
      if (next.kind() == Kind.END) {
        ended = true;
        break;
      }
      batch.add(next);
    }
    if (batch.get(batch.size() - 1).kind() == Kind.FATAL) {
      ended = true;
    }
    return batch;
  }

  /** Stops the reader thread at its next line (a thread blocked on a silent stdin stays, as a daemon). */
  @Override
  public void close() {
    closed = true;
  }

  private void start(Runnable reader) {
    Thread thread = new Thread(() -> {
      try {
        reader.run();
      } catch (RuntimeException e) {
        put(new Line(0, Kind.FATAL, null, null, e)); // never end the input silently
      } finally {
        put(END);
      }
    }, "jbert-predict-input");
    thread.setDaemon(true);
    thread.start();
  }

  private void readJsonLines(InputStream in) {
    long number = 0;
    try (InputStream bytes = new BufferedInputStream(in)) {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      byte[] raw;
      while (!closed && (raw = readLine(bytes, buffer)) != null) {
        number++;
        if (!put(decode(number, raw))) {
          return;
        }
      }
    } catch (IOException e) {
      put(new Line(number + 1, Kind.FATAL, null, null, new UncheckedIOException("cannot read " + source, e)));
    }
  }

  /**
   * The next line's bytes without its line break ({@code \n} or {@code \r\n}), or null at the end. Split
   * on bytes, not chars, so that a line that is not UTF-8 is one bad line with its exact number.
   */
  private static byte[] readLine(InputStream in, ByteArrayOutputStream buffer) throws IOException {
    buffer.reset();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      buffer.write(b);
    }
    if (b == -1 && buffer.size() == 0) {
      return null;
    }
    byte[] line = buffer.toByteArray();
    int length = line.length > 0 && line[line.length - 1] == '\r' ? line.length - 1 : line.length;
    return length == line.length ? line : Arrays.copyOf(line, length);
  }

  private Line decode(long number, byte[] raw) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw))
          .toString();
    } catch (CharacterCodingException e) {
      return bad(number, "not valid UTF-8");
    }
    if (number == 1 && text.startsWith("\uFEFF")) {
      text = text.substring(1); // byte-order mark
    }
    return parse(number, text);
  }

  private Line parse(long number, String text) {
    if (text.isBlank()) {
      return new Line(number, Kind.BLANK, null, null, null);
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      return bad(number, "not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      String kind = node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
      return bad(number, "expected a JSON object like {\"text\": \"...\"}, found " + kind);
    }
    return new Line(number, Kind.RECORD, (ObjectNode) node, null, null);
  }

  private Line bad(long number, String problem) {
    return new Line(number, Kind.BAD, null, new DataFileException(source, number, problem).getMessage(), null);
  }

  private void readTable(CsvTable rows) {
    for (CsvTable.Row row : rows.rows()) {
      ObjectNode fields = Json.MAPPER.createObjectNode();
      for (int c = 0; c < rows.header().size(); c++) {
        fields.put(rows.header().get(c), row.values().get(c));
      }
      if (!put(new Line(row.line(), Kind.RECORD, fields, null, null))) {
        return;
      }
    }
  }

  /** Queues a line, waiting while the queue is full; false once closed. */
  private boolean put(Line line) {
    try {
      while (!closed) {
        if (queue.offer(line, OFFER_POLL_MS, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }
}
