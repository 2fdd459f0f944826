package io.ccf.ar.sdk;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/**
 * A ready-made {@code main} that serves any {@link Provider} class found on the
 * class path, so that a provider can run as a plugin process without a
 * {@code main} of its own:
 *
 * <pre>{@code
 * java -cp <class path> io.ccf.ar.sdk.ProviderLauncher com.example.DiskPlugin [name]
 * }</pre>
 *
 * <p>It creates the provider with its public no-argument constructor and
 * serves it like {@link PluginServer#serve(Provider)}, named {@code name} (see
 * {@link PluginServer.Builder#name(String)}) or, without it, after the class's
 * simple name. The test harness ({@code io.ccf.ar.sdk.testing.PluginHarness.forProvider})
 * starts providers this way; a plugin that ships as a jar normally has its own
 * {@code main} instead.
 *
 * <p>When the class cannot be used (not found, not a {@link Provider}, no
 * public no-argument constructor, the constructor threw) it logs why on stderr
 * through {@link PluginLog}, writes nothing on stdout and exits 1; wrong
 * arguments exit 2.
 */
public final class ProviderLauncher {
    private ProviderLauncher() {
    }

    /**
     * Serves the provider named by {@code args[0]}; never returns normally.
     *
     * @param args the provider's fully qualified class name, then optionally the plugin's name
     */
    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2 || args[0].isBlank()) {
            PluginLog.get().error("usage: java -cp <class path> " + ProviderLauncher.class.getName()
                    + " <provider class> [plugin name]");
            System.exit(2);
        }
        Provider provider;
        try {
            provider = instantiate(args[0].strip());
        } catch (IllegalArgumentException e) {
            PluginLog.get().error(e.getMessage(), "provider", args[0]);
            System.exit(1);
            return;
        }
        String name = args.length > 1 ? args[1] : provider.getClass().getSimpleName();
        PluginServer.builder(provider).name(name).serve();
    }

    /**
     * Creates the provider {@code className} names with its public no-argument constructor.
     *
     * @param className a fully qualified class name on the class path
     * @return a new instance
     * @throws IllegalArgumentException saying what is wrong with the class and what to do
     */
    public static Provider instantiate(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("provider class " + className + " cannot be loaded (" + e
                    + "); check the name and that it is on the class path");
        }
        if (!Provider.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("class " + className + " does not implement "
                    + Provider.class.getName());
        }
        if (Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException("provider class " + className + " is abstract or an interface;"
                    + " name a concrete class");
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("provider class " + className
                    + " has no public no-argument constructor; add one (and make the class public)");
        }
        try {
            return (Provider) constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("the constructor of provider class " + className + " threw "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("provider class " + className + " cannot be created (" + e
                    + "); make the class and its no-argument constructor public");
        }
    }
}
