package io.ccf.ar.runtime.run;

import java.io.PrintStream;

/** Each result as one JSON line (what {@code ar run-once} prints on stdout). */
public final class JsonLinesResultSink implements ResultSink {
    private final PrintStream out;

    public JsonLinesResultSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public void publish(AssessmentResult result) {
        String line = ResultJson.toJson(result);
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
