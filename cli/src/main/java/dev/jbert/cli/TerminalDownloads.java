package dev.jbert.cli;

import dev.jbert.core.io.DownloadProgress;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar per downloaded hub file on standard error ({@code me.tongfei:progressbar}): size in
 * KiB, or MiB from 10 MiB up, and speed. The commands that take a hub id resolve it with this.
 */
final class TerminalDownloads implements DownloadProgress {

  @Override
  public Transfer started(String repoId, String file, long totalBytes) {
    boolean large = totalBytes < 0 || totalBytes >= 10L << 20;
    ProgressBar bar = new ProgressBarBuilder()
        .setTaskName(file)
        .setInitialMax(totalBytes)
        .setUnit(large ? "MiB" : "KiB", large ? 1 << 20 : 1 << 10)
        .setStyle(ProgressBarStyle.ASCII)
        .showSpeed()
        .build();
    return new Transfer() {
      @Override
      public void advancedTo(long bytes) {
        bar.stepTo(bytes);
      }

      @Override
      public void close() {
        bar.close();
      }
    };
  }
}
