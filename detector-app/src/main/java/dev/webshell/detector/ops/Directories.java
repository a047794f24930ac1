package dev.webshell.detector.ops;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Removing a directory tree the detector made: local state, temporary directories. */
public final class Directories {
  private Directories() {}

  /**
   * Deletes {@code dir} and everything under it, going on past what cannot be deleted (a file still
   * open elsewhere, missing permissions) so that as much as possible goes. Symbolic links are
   * deleted, never followed. Never throws.
   *
   * @return true when nothing is left of {@code dir} (also when it did not exist)
   */
  public static boolean deleteRecursively(Path dir) {
    if (dir == null) {
      return true;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              deleteQuietly(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              deleteQuietly(file); // gone meanwhile, or unreadable: try the entry itself
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) {
              deleteQuietly(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // the visitor swallows every error; nothing reaches here
    }
    return !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // left behind; the caller learns it from the result
    }
  }
}
