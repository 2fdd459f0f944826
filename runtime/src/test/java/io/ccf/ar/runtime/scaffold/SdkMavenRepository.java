package io.ccf.ar.runtime.scaffold;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Maven local repository of the test's own holding THIS tree's SDK (parent POM, proto, auto-mtls,
 * netty-alpn-engine, plugin-sdk and, once built, plugin-sdk-testing), so a generated project builds against the code under test rather than whatever
 * SDK snapshot the shared ~/.m2 holds. Everything else (plugins, gRPC, JUnit) comes offline from the build's
 * own local repository, read as a file:// mirror ({@code aether.offline.protocols=file} lets an offline build
 * use it); nothing is written there.
 */
final class SdkMavenRepository {
    private final Path settings;

    private SdkMavenRepository(Path settings) {
        this.settings = settings;
    }

    /** Creates the repository under {@code dir} and installs the SDK built in this tree into it. */
    static SdkMavenRepository withThisTreesSdk(Path dir, String version) throws IOException, InterruptedException {
        Path shared = Path.of(System.getProperty("ar.m2Repository",
                System.getProperty("user.home") + "/.m2/repository")).toAbsolutePath();
        Path settings = Files.writeString(dir.resolve("settings.xml"), """
                <settings>
                  <localRepository>%s</localRepository>
                  <mirrors><mirror><id>build</id><mirrorOf>*</mirrorOf><url>%s</url></mirror></mirrors>
                </settings>
                """.formatted(dir.resolve("repository"), shared.toUri()));
        SdkMavenRepository repository = new SdkMavenRepository(settings);
        Path root = Commands.repoRoot();
        repository.install(root.resolve("pom.xml"), root.resolve("pom.xml"), "pom");
        for (String module : List.of("proto", "auto-mtls", "netty-alpn-engine", "plugin-sdk")) {
            repository.install(builtJar(module, version), root.resolve(module).resolve("pom.xml"), "jar");
        }
        return repository;
    }

    /** The module's jar as built in this tree; fails (with what to do) when it was not built. */
    static Path builtJar(String module, String version) {
        Path jar = Commands.repoRoot().resolve(module).resolve("target").resolve(module + "-" + version + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " not found: build the SDK first (mvn -o -q install -DskipTests)");
        }
        return jar;
    }

    /** Installs an artifact of this tree (e.g. plugin-sdk-testing once it is built). */
    void install(Path file, Path pom, String packaging) throws IOException, InterruptedException {
        mvn(Commands.repoRoot(), "install:install-file", "-Dfile=" + file, "-DpomFile=" + pom,
                "-Dpackaging=" + packaging);
    }

    /** {@code mvn -o -q -B ARGS...} in {@code project} against this repository; asserts exit 0. */
    String mvn(Path project, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mvn", "-o", "-q", "-B", "-s", settings.toString(),
                "-Daether.offline.protocols=file"));
        command.addAll(List.of(args));
        return Commands.run(project, command);
    }
}
