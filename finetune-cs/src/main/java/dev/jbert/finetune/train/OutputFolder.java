package dev.jbert.finetune.train;

import dev.jbert.core.io.AtomicFiles;
import dev.jbert.finetune.data.Example;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a run writes, so that an output folder never mixes two runs' files.
 *
 * <p>A run works in {@code OUTPUT.partial/} beside the output folder: model of the best epoch,
 * tokenizer files, {@code checkpoint/}, {@code training_log.jsonl}, then {@code metrics.json} and
 * the charts. When all of it is written, that folder replaces {@code OUTPUT} whole ({@link
 * AtomicFiles#replaceDirectory}): until then an old {@code OUTPUT} stays as it was and loadable, and
 * a run that fails or is stopped leaves its work in {@code OUTPUT.partial/} for a resume.
 *
 * <p>A new run refuses an output folder that already holds files unless asked to {@linkplain
 * FineTuneConfig#overwrite() overwrite} it, and refuses to overwrite a folder that holds its own
 * data or the working directory. It also refuses to start over an interrupted run's {@code
 * OUTPUT.partial/} without {@code overwrite}.
 */
public final class OutputFolder {

  /** Suffix of the working folder beside the output folder. */
  public static final String PARTIAL_SUFFIX = ".partial";
  /** Suffix the old output folder has between the two renames that replace it. */
  static final String REPLACED_SUFFIX = ".replaced";

  private final Path output;
  private final Path work;
  private final Path aside;

  private OutputFolder(Path output) {
    this.output = output;
    this.work = output.resolveSibling(output.getFileName() + PARTIAL_SUFFIX);
    this.aside = output.resolveSibling(output.getFileName() + REPLACED_SUFFIX);
  }

  /** The folders of a run into {@code output}. */
  public static OutputFolder of(Path output) {
    Path absolute = output.toAbsolutePath().normalize();
    if (absolute.getParent() == null || absolute.getFileName() == null) {
      throw new IllegalArgumentException("the output folder cannot be the root of the file system: " + output);
    }
    return new OutputFolder(absolute);
  }

  /** The output folder: the finished model and its reports. */
  public Path output() {
    return output;
  }

  /** The working folder of the run ({@code OUTPUT.partial}); it becomes the output folder at the end. */
  public Path work() {
    return work;
  }

  /** The checkpoint store of the working folder. */
  CheckpointStore checkpoints() {
    return new CheckpointStore(work);
  }

  /**
   * Checks, before anything is read or written, that a run with {@code config} may start here.
   *
   * @param modelDir the model folder the run starts from (the run must not replace or delete it)
   * @param data the run's examples (an overwrite must not delete the files they come from)
   * @throws IllegalArgumentException naming the folder and what is in the way
   */
  void checkStart(FineTuneConfig config, Path modelDir, List<List<Example>> data) throws IOException {
    checkStart(config, modelDir, data, Path.of("").toAbsolutePath());
  }

  /** {@link #checkStart(FineTuneConfig, Path, List)} for a given working directory. */
  void checkStart(FineTuneConfig config, Path modelDir, List<List<Example>> data, Path workingDirectory) throws IOException {
    for (Path folder : List.of(output, work)) {
      if (Files.exists(folder) && !Files.isDirectory(folder)) {
        throw new IllegalArgumentException(folder + " is a file, not a folder; choose another output folder");
      }
    }
    for (Path folder : List.of(output, work)) {
      if (isInside(modelDir, folder)) {
        throw new IllegalArgumentException("the model folder " + modelDir + " is " + (isInside(folder, modelDir) ? "" : "inside ")
            + "the run's folder " + folder + ", which the run replaces; fine-tune into another folder");
      }
    }
    if (config.resume()) {
      if (new CheckpointStore(work).latest().isEmpty() && new CheckpointStore(output).latest().isEmpty()) {
        throw new IllegalArgumentException("cannot resume: neither " + work.resolve(CheckpointStore.DIR_NAME) + " nor "
            + output.resolve(CheckpointStore.DIR_NAME) + " holds a checkpoint");
      }
      return;
    }
    if (!config.overwrite()) {
      Optional<Path> interrupted = new CheckpointStore(work).latest();
      if (interrupted.isPresent()) {
        throw new IllegalArgumentException(work + " holds an interrupted run (checkpoint after step "
            + CheckpointStore.readState(interrupted.get()).step() + "): pass --resume to continue it, or --overwrite to start over");
      }
      List<String> held = entries(output);
      if (!held.isEmpty()) {
        throw new IllegalArgumentException("the output folder " + output + " already holds " + describe(held)
            + ": pass --overwrite to replace it (the old folder stays whole until the new model is complete), --resume to"
            + " continue its run, or choose an empty folder");
      }
      return;
    }
    if (isInside(workingDirectory, output)) {
      throw new IllegalArgumentException("will not overwrite " + output + ": it holds the working directory "
          + workingDirectory.toAbsolutePath().normalize());
    }
    for (Path folder : List.of(output, work)) {
      List<Path> sources = data.stream().flatMap(List::stream).map(Example::source).filter(Objects::nonNull).distinct().toList();
      for (Path source : sources) {
        if (isInside(source, folder)) {
          throw new IllegalArgumentException("will not overwrite " + folder + ": it holds the data file " + source);
        }
      }
    }
  }

  /** Whether {@code path} is {@code folder} or inside it, symbolic links resolved; false when either does not exist. */
  private static boolean isInside(Path path, Path folder) throws IOException {
    if (!Files.exists(path) || !Files.exists(folder)) {
      return false;
    }
    return path.toRealPath().startsWith(folder.toRealPath());
  }

  /** A new run: an empty working folder (any earlier one deleted). */
  void beginFresh() throws IOException {
    AtomicFiles.deleteTree(work);
    Files.createDirectories(work);
  }

  /**
   * A resumed run: continues in the working folder when it holds a checkpoint, else copies the
   * output folder (a finished run, or one written in place by an earlier version) there first.
   */
  void beginResume() throws IOException {
    if (new CheckpointStore(work).latest().isPresent()) {
      return;
    }
    AtomicFiles.deleteTree(work);
    copyTree(output, work);
  }

  /** Makes the finished working folder the output folder, replacing any old one whole. */
  void publish() throws IOException {
    AtomicFiles.replaceDirectory(work, output, aside);
  }

  private static List<String> entries(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : "")).sorted().toList();
    }
  }

  private static String describe(List<String> names) {
    int shown = Math.min(names.size(), 5);
    String list = String.join(", ", names.subList(0, shown));
    return names.size() > shown ? list + " and " + (names.size() - shown) + " more" : list;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      walk.forEach(source -> {
        Path target = to.resolve(from.relativize(source).toString());
        try {
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            Files.copy(source, target);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
