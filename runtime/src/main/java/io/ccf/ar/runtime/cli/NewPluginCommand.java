package io.ccf.ar.runtime.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.ccf.ar.runtime.scaffold.PluginLanguage;
import io.ccf.ar.runtime.scaffold.PluginNames;
import io.ccf.ar.runtime.scaffold.ProjectScaffold;
import io.ccf.ar.runtime.scaffold.SdkVersions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ar new-plugin NAME [--dir DIR] [--lang java|go]}: a ready plugin project to start from. */
@Command(name = "new-plugin", mixinStandardHelpOptions = true,
        description = {"Write a ready plugin project into DIR (default ./NAME): Java (a Maven project on the plugin",
                "SDK, with a JUnit test and a shaded jar target/NAME.jar) or Go (go-plugin, built offline by build.sh",
                "into ./NAME). Its example check (free disk space per path) runs as it is; replace it with yours.",
                "Refuses a NAME that is not a valid package name and a DIR that is not empty."})
final class NewPluginCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME",
            description = "The plugin's package name (letters, digits, '.', '_', '+', '-'), e.g. disk-check.")
    String name;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to write the project (default: ./NAME).")
    Path dir;

    @Option(names = "--lang", paramLabel = "java|go", defaultValue = "java", converter = LanguageConverter.class,
            description = "The plugin's language (default: ${DEFAULT-VALUE}).")
    PluginLanguage language;

    @Override
    public Integer call() {
        PluginNames names = PluginNames.of(name);
        Path target = dir != null ? dir : Path.of(name);
        List<Path> files = new ProjectScaffold(SdkVersions.ofThisBuild()).write(target, names, language);
        System.out.println("wrote the " + language.id() + " plugin " + name + " into " + target + ":");
        files.forEach(f -> System.out.println("  " + f));
        System.out.println(language == PluginLanguage.JAVA
                ? "next: cd " + target + " && mvn -q package && ar run-plugin target/" + name + ".jar --config path=/"
                : "next: cd " + target + " && make && ar run-plugin ./" + name + " --config path=/");
        return 0;
    }

    static final class LanguageConverter implements picocli.CommandLine.ITypeConverter<PluginLanguage> {
        @Override
        public PluginLanguage convert(String value) {
            try {
                return PluginLanguage.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
