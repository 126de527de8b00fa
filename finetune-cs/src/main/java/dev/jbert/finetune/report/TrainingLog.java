package dev.jbert.finetune.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.jbert.core.io.AtomicFiles;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.io.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code training_log.jsonl}: one {@link LogEntry} per line, appended as training goes.
 *
 * <p>Each entry is appended with a single write of the whole line and flushed to disk, so a killed run
 * leaves every earlier line intact; at most the last line can be cut short. {@link #resume} drops such
 * a torn line and every entry past the checkpoint's step (they will be logged again), rewriting the
 * file atomically, then appends from there.
 */
public final class TrainingLog {

  /** Default file name inside a run folder. */
  public static final String FILE_NAME = "training_log.jsonl";

  private final Path file;
  private final List<LogEntry> entries;

  private TrainingLog(Path file, List<LogEntry> entries) {
    this.file = file;
    this.entries = entries;
  }

  /** Starts a new, empty log at {@code file} (replacing any old one). */
  public static TrainingLog create(Path file) throws IOException {
    AtomicFiles.writeString(file, "");
    return new TrainingLog(file, new ArrayList<>());
  }

  /**
   * Continues the log of a run resumed from a checkpoint taken at step {@code checkpointStep}: keeps
   * the entries with {@code step ≤ checkpointStep}. A missing file starts a new log.
   */
  public static TrainingLog resume(Path file, long checkpointStep) throws IOException {
    if (!Files.exists(file)) {
      return create(file);
    }
    List<LogEntry> kept = new ArrayList<>();
    for (LogEntry e : read(file, true)) {
      if (e.step() <= checkpointStep) {
        kept.add(e);
      }
    }
    StringBuilder text = new StringBuilder();
    for (LogEntry e : kept) {
      text.append(line(e));
    }
    AtomicFiles.writeString(file, text.toString());
    return new TrainingLog(file, kept);
  }

  /**
   * The entries of a log file.
   *
   * @throws DataFileException naming the line of an entry that is not valid
   */
  public static List<LogEntry> read(Path file) throws IOException {
    return read(file, false);
  }

  private static List<LogEntry> read(Path file, boolean dropTornLastLine) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    String[] lines = text.split("\n", -1);
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      boolean last = i == lines.length - 1; // no line break after it: the write may have been cut
      try {
        entries.add(Json.MAPPER.readValue(lines[i], LogEntry.class));
      } catch (JsonProcessingException e) {
        if (!(last && dropTornLastLine)) {
          throw new DataFileException(file, i + 1L, "not a log entry: " + e.getOriginalMessage(), e);
        }
      }
    }
    return entries;
  }

  /** Appends one entry and flushes it to disk. */
  public void append(LogEntry entry) throws IOException {
    byte[] bytes = line(entry).getBytes(StandardCharsets.UTF_8);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND, StandardOpenOption.CREATE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    }
    entries.add(entry);
  }

  /** Every entry so far, oldest first. */
  public List<LogEntry> entries() {
    return List.copyOf(entries);
  }

  /** The log file. */
  public Path file() {
    return file;
  }

  private static String line(LogEntry entry) {
    try {
      return Json.MAPPER.writeValueAsString(entry) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a log entry is always serialisable", e);
    }
  }
}
