package io.ccf.ar.runtime.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.ccf.ar.runtime.registry.RegistryIndex;
import io.ccf.ar.runtime.registry.StaticRegistryTree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ar reindex DIR [PACKAGE...]}: index.json for a static registry tree laid out or changed by hand. */
@Command(name = "reindex", mixinStandardHelpOptions = true,
        description = {"Rebuild <package>/index.json in a static registry tree DIR from the version directories found",
                "(all packages when none is named); writes missing .sha256 files and refuses one that disagrees with its file."})
final class ReindexCommand implements Callable<Integer> {
    @Mixin
    LogFormatOption logFormat;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @picocli.CommandLine.Option(names = "--sign-key", paramLabel = "FILE",
            description = "Ed25519 private key (from `ar keygen`): sign each rebuilt index (<package>/index.json.sig).")
    Path signKey;

    @picocli.CommandLine.Option(names = "--expires-in", paramLabel = "DURATION", converter = ExpiresInConverter.class,
            description = "With --sign-key: each signed index expires this long from now (30d, 720h); re-sign before"
                    + " then (runtimes refuse an expired index). Default: never.")
    java.time.Duration expiresIn;

    @Parameters(index = "1..*", paramLabel = "PACKAGE", arity = "0..*")
    List<String> packages = new ArrayList<>();

    @Override
    public Integer call() {
        logFormat.apply(System.getenv());
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        StaticRegistryTree tree = new StaticRegistryTree(dir, signKey == null ? null
                : io.ccf.ar.runtime.registry.IndexSignature.readPrivateKey(signKey), expiresIn, java.time.Clock.systemUTC());
        List<String> names = packages.isEmpty() ? packageDirs(tree.root()) : packages;
        for (String name : names) {
            RegistryIndex index = tree.rebuildIndex(name);
            System.out.println(name + ": " + index.versions().size() + " version(s) "
                    + index.versions().stream().map(RegistryIndex.Version::version).toList()
                    + (signKey == null ? "" : ", signed, serial " + index.serial()
                    + (index.expires() == null ? "" : ", expires " + index.expires())));
        }
        return 0;
    }

    private static List<String> packageDirs(Path root) {
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }
}
