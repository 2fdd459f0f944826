package io.ccf.ar.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class HclogTest {

    static JsonObject parse(byte[] line) {
        String s = new String(line, StandardCharsets.UTF_8);
        assertTrue(s.endsWith("\n") && s.indexOf('\n') == s.length() - 1, "one line: " + s);
        JsonReader r = new JsonReader(new StringReader(s));
        r.setStrictness(Strictness.STRICT);
        return JsonParser.parseReader(r).getAsJsonObject();
    }

    @Test
    void writesLevelMessageModuleTimestampAndTypedFields() {
        JsonObject o = parse(Hclog.line(2, "busy", "checked subject",
                new Object[] {"subject", "vm-1", "ms", 12, "ok", true, "ratio", 0.5, "none", null,
                        "nan", Double.NaN, "error", new IllegalStateException("x")}));
        assertEquals("info", o.get("@level").getAsString());
        assertEquals("checked subject", o.get("@message").getAsString());
        assertEquals("busy", o.get("@module").getAsString());
        assertEquals("vm-1", o.get("subject").getAsString());
        assertEquals(12, o.get("ms").getAsInt());
        assertTrue(o.get("ms").getAsJsonPrimitive().isNumber());
        assertTrue(o.get("ok").getAsBoolean());
        assertEquals(0.5, o.get("ratio").getAsDouble());
        assertTrue(o.get("none").isJsonNull());
        assertEquals("NaN", o.get("nan").getAsString());
        assertEquals("java.lang.IllegalStateException: x", o.get("error").getAsString());
    }

    @Test
    void oddTrailingValueIsKeptLikeHclog() {
        JsonObject o = parse(Hclog.line(4, "m", "msg", new Object[] {"k", "v", "orphan"}));
        assertEquals("error", o.get("@level").getAsString());
        assertEquals("orphan", o.get("EXTRA_VALUE_AT_END").getAsString());
    }

    @Test
    void escapesEverythingJsonRequires() {
        String nasty = "quote\" backslash\\ newline\n cr\r tab\t bell\u0007 nul\u0000 del\u007f"
                + " ls\u2028 emoji\uD83D\uDE00 lone\uD800 end";
        JsonObject o = parse(Hclog.line(0, "m\"od", nasty, new Object[] {"k\ney", nasty}));
        String expectedLone = nasty; // valid escapes round-trip exactly, the lone surrogate included
        assertEquals(expectedLone, o.get("@message").getAsString());
        assertEquals("m\"od", o.get("@module").getAsString());
        assertEquals(nasty, o.get("k\ney").getAsString());
        assertEquals("trace", o.get("@level").getAsString());
    }

    @Test
    void timestampIsGoLayoutWithSixFractionalDigits() {
        Instant t = Instant.parse("2006-01-02T15:04:05.000100Z");
        StringBuilder sb = new StringBuilder();
        Hclog.timestamp(sb, t);
        // Same instant rendered by java.time in the system zone, Go's Z07:00 being XXX.
        String expected = OffsetDateTime.ofInstant(t, ZoneId.systemDefault())
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"));
        assertEquals(expected, sb.toString());
        assertTrue(sb.toString().matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.000100(Z|[+-]\\d{2}:\\d{2})"),
                sb.toString());
    }

    @Test
    void parsesLevelNames() {
        assertEquals(0, Hclog.parseLevel("TRACE"));
        assertEquals(1, Hclog.parseLevel("debug"));
        assertEquals(2, Hclog.parseLevel(null));
        assertEquals(2, Hclog.parseLevel("bogus"));
        assertEquals(3, Hclog.parseLevel("warning"));
        assertEquals(4, Hclog.parseLevel(" error "));
    }
}
