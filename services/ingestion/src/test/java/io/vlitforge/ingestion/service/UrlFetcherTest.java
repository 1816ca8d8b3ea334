package io.vlitforge.ingestion.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vlitforge.ingestion.service.ImageInspector.InvalidImageException;
import io.vlitforge.shared.testing.Fixtures;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** URL sources against a real local HTTP server: what is fetched, and every way a fetch is refused. */
class UrlFetcherTest {

    private static HttpServer server;
    private static String base;
    private static byte[] jpeg;
    private static final AtomicInteger FLAKY = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        jpeg = Files.readAllBytes(Fixtures.cocoMini().resolve("images/000000000790.jpg"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/img.jpg", x -> reply(x, 200, "image/jpeg", jpeg));
        server.createContext("/page.html", x -> reply(x, 200, "text/html", "<html></html>".getBytes()));
        server.createContext("/missing.jpg", x -> reply(x, 404, "text/plain", "no".getBytes()));
        server.createContext("/big.jpg", x -> reply(x, 200, "image/jpeg", new byte[2_000_000]));
        server.createContext("/flaky.jpg", x -> {
            if (FLAKY.incrementAndGet() == 1) {
                reply(x, 503, "text/plain", "busy".getBytes());
            } else {
                reply(x, 200, "image/jpeg", jpeg);
            }
        });
        server.createContext("/redirect.jpg", x -> {
            x.getResponseHeaders().add("Location", "/img.jpg");
            reply(x, 302, "text/plain", new byte[0]);
        });
        server.createContext("/to-metadata.jpg", x -> {
            x.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            reply(x, 302, "text/plain", new byte[0]);
        });
        server.createContext("/slow.jpg", x -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reply(x, 200, "image/jpeg", jpeg);
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void reply(com.sun.net.httpserver.HttpExchange x, int status, String type, byte[] body)
            throws java.io.IOException {
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static UrlFetcher fetcher(boolean enabled, boolean allowPrivate) {
        return new UrlFetcher(new UrlFetcher.Settings(enabled, allowPrivate, Duration.ofSeconds(1), 2, 2, 1_000_000));
    }

    private static String reason(UrlFetcher f, String url) {
        return assertThrows(InvalidImageException.class, () -> f.fetch(url)).reason();
    }

    @Test
    void loopbackPrivateLinkLocalAndMetadataAddressesAreRefusedByDefault() throws Exception {
        UrlFetcher f = fetcher(true, false);
        assertEquals("image.url_blocked_address", reason(f, base + "/img.jpg"));
        assertEquals("image.url_blocked_address", reason(f, "http://169.254.169.254/latest/meta-data/"));
        assertEquals("image.url_blocked_address", reason(f, "http://10.1.2.3/x.jpg"));
        assertEquals("image.url_blocked_address", reason(f, "http://[::1]/x.jpg"));
        assertEquals("image.url_blocked_address", reason(f, "http://[fd00:ec2::254]/x.jpg"));
        assertEquals("image.url_blocked_address", reason(f, "http://[::ffff:127.0.0.1]/x.jpg"));
        assertEquals("image.url_blocked_address", reason(f, "http://0.0.0.0/x.jpg"));
        for (String blocked : new String[] {"100.64.0.1", "192.168.1.1", "172.16.0.1", "224.0.0.1"}) {
            assertTrue(UrlFetcher.blocked(InetAddress.getByName(blocked)), blocked);
        }
        assertFalse(UrlFetcher.blocked(InetAddress.getByName("93.184.216.34")));
        assertEquals("image.bad_url", reason(f, "file:///etc/passwd"));
        assertEquals("image.bad_url", reason(f, "ftp://example.org/x.jpg"));
        assertEquals("image.url_fetch_disabled", reason(fetcher(false, true), base + "/img.jpg"));
    }

    @Test
    void whenAllowedFetchesImagesAndRefusesEverythingElse() throws Exception {
        UrlFetcher f = fetcher(true, true);
        assertArrayEquals(jpeg, f.fetch(base + "/img.jpg"));
        assertArrayEquals(jpeg, f.fetch(base + "/redirect.jpg"), "a redirect is followed");
        assertArrayEquals(jpeg, f.fetch(base + "/flaky.jpg"), "a 503 is retried");
        assertEquals("image.url_not_an_image", reason(f, base + "/page.html"));
        assertEquals("image.url_http_error", reason(f, base + "/missing.jpg"));
        assertEquals("image.url_too_large", reason(f, base + "/big.jpg"));
        assertEquals("image.url_timeout", reason(f, base + "/slow.jpg"));
    }

    @Test
    void aRedirectToAPrivateAddressIsCheckedAgain() {
        // The loopback test server is let through; the link-local metadata address it redirects to is not.
        UrlFetcher f = new UrlFetcher(new UrlFetcher.Settings(true, false, Duration.ofSeconds(1), 0, 1, 1_000_000),
                InetAddress::isLinkLocalAddress);
        assertArrayEquals(jpeg, assertDoesNotThrow(() -> f.fetch(base + "/img.jpg")));
        assertEquals("image.url_blocked_address", reason(f, base + "/to-metadata.jpg"));
    }
}
