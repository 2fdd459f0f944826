package io.ccf.ar.runtime;

import io.ccf.ar.runtime.cli.ArCommand;
import io.ccf.ar.runtime.config.ConfigException;
import io.ccf.ar.runtime.registry.RegistryException;
import picocli.CommandLine;

/** Entry point of {@code bin/ar}. Exit codes: 0 ok, 1 failed results or problems found, 2 bad usage or config. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new ArCommand());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
                cmd.getErr().println("ar: " + e.getMessage());
                return 2;
            }
            if (e instanceof RegistryException) {
                cmd.getErr().println("ar: " + e.getMessage());
                return 1;
            }
            if (e instanceof java.io.UncheckedIOException || e instanceof IllegalStateException) {
                cmd.getErr().println("ar: " + e.getMessage()); // a file or process problem, said in one line
                return 1;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
