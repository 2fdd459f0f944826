package io.ccf.ar.compose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The repository as a fresh clone would have it: the files git tracks (and new files not ignored),
 * copied into a temporary directory, so an image build sees no bin/, build/ or target/ of this working tree.
 */
final class CleanCheckout {
    private CleanCheckout() {
    }

    static Path copy(Path repoRoot, Path into) throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
                .directory(repoRoot.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] listing = git.getInputStream().readAllBytes();
        if (!git.waitFor(60, TimeUnit.SECONDS) || git.exitValue() != 0) {
            throw new IOException("git ls-files failed in " + repoRoot);
        }
        List<String> files = List.of(new String(listing, StandardCharsets.UTF_8).split("\0"));
        for (String file : files) {
            Path source = repoRoot.resolve(file);
            if (file.isEmpty() || !Files.isRegularFile(source)) {
                continue; // deleted in the working tree, or a submodule
            }
            Path target = into.resolve(file);
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return into;
    }
}
