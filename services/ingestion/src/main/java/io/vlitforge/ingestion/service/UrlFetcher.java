package io.vlitforge.ingestion.service;

import io.vlitforge.ingestion.service.ImageInspector.InvalidImageException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Semaphore;

/**
 * Fetches images named by URL (caption-pair sources such as CC3M or LAION), carefully: only http(s);
 * no fetch to loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
 * unique-local, multicast or unspecified addresses unless allowed by configuration, checked for every
 * address the host resolves to and again at every redirect (redirects are followed by hand, at most
 * three); bounded concurrency; a timeout per request; retries with backoff on timeouts, 429 and 5xx;
 * the body capped at the image size limit; the content type must be an image. Every refusal is an
 * {@link InvalidImageException} with its own reason ({@code image.url_*}). Off unless enabled.
 *
 * <p>The address check runs on the resolved addresses before the request; a host whose DNS answer
 * changes between the check and the connection (DNS rebinding) is not covered: deployments that fetch
 * untrusted URLs should also block private ranges at the network level.
 */
public final class UrlFetcher {

    /** How URL sources are fetched. */
    public record Settings(boolean enabled, boolean allowPrivate, Duration timeout, int retries, int concurrency,
            long maxBytes) {
    }

    private static final int MAX_REDIRECTS = 3;

    private final Settings settings;
    private final HttpClient client;
    private final Semaphore permits;
    private final java.util.function.Predicate<InetAddress> isBlocked;

    public UrlFetcher(Settings settings) {
        this(settings, UrlFetcher::blocked);
    }

    /** With another address rule (tests reach a loopback server yet check that a redirect is re-checked). */
    UrlFetcher(Settings settings, java.util.function.Predicate<InetAddress> isBlocked) {
        this.isBlocked = isBlocked;
        this.settings = settings;
        this.client = HttpClient.newBuilder().connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.permits = new Semaphore(Math.max(1, settings.concurrency()));
    }

    public static boolean isUrl(String name) {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        return n.startsWith("http://") || n.startsWith("https://");
    }

    public byte[] fetch(String url) throws InvalidImageException {
        if (!settings.enabled()) {
            throw new InvalidImageException("image.url_fetch_disabled",
                    "URL sources are not enabled (vlit.ingest.url.enabled): " + shorten(url));
        }
        URI uri = parse(url);
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidImageException("image.url_timeout", "interrupted");
        }
        try {
            for (int redirects = 0; ; redirects++) {
                checkAddress(uri);
                HttpResponse<InputStream> response = send(uri);
                int status = response.statusCode();
                if (status >= 300 && status < 400 && response.headers().firstValue("location").isPresent()) {
                    close(response);
                    if (redirects >= MAX_REDIRECTS) {
                        throw new InvalidImageException("image.url_too_many_redirects", "more than " + MAX_REDIRECTS
                                + " redirects from " + shorten(url));
                    }
                    uri = parse(uri.resolve(response.headers().firstValue("location").get()).toString());
                    continue;
                }
                return body(uri, response);
            }
        } finally {
            permits.release();
        }
    }

    private HttpResponse<InputStream> send(URI uri) throws InvalidImageException {
        InvalidImageException last = null;
        for (int attempt = 0; attempt <= settings.retries(); attempt++) {
            if (attempt > 0) {
                try {
                    Thread.sleep(200L << attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            try {
                HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri).timeout(settings.timeout())
                        .header("Accept", "image/*").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                if (status == 429 || status >= 500) {
                    close(response);
                    last = new InvalidImageException("image.url_http_error", "HTTP " + status + " from "
                            + shorten(uri.toString()));
                    continue;
                }
                return response;
            } catch (HttpTimeoutException e) {
                last = new InvalidImageException("image.url_timeout", "no answer within " + settings.timeout()
                        + " from " + shorten(uri.toString()));
            } catch (IOException e) {
                last = new InvalidImageException("image.url_unreachable", shorten(uri.toString()) + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InvalidImageException("image.url_timeout", "interrupted");
            }
        }
        throw last;
    }

    private byte[] body(URI uri, HttpResponse<InputStream> response) throws InvalidImageException {
        try (InputStream in = response.body()) {
            int status = response.statusCode();
            if (status != 200) {
                throw new InvalidImageException("image.url_http_error", "HTTP " + status + " from "
                        + shorten(uri.toString()));
            }
            String type = response.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
            if (!type.startsWith("image/")) {
                throw new InvalidImageException("image.url_not_an_image", "content type '" + type + "' from "
                        + shorten(uri.toString()));
            }
            long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
            if (declared > settings.maxBytes()) {
                throw new InvalidImageException("image.url_too_large", declared + " bytes declared, more than "
                        + settings.maxBytes());
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, settings.maxBytes() + 1));
            if (bytes.length > settings.maxBytes()) {
                throw new InvalidImageException("image.url_too_large", "more than " + settings.maxBytes() + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new InvalidImageException("image.url_unreachable", "reading " + shorten(uri.toString()) + ": " + e);
        }
    }

    private static URI parse(String url) throws InvalidImageException {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new InvalidImageException("image.bad_url", "only http(s) URLs with a host: " + shorten(url));
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new InvalidImageException("image.bad_url", "not a URL: " + shorten(url));
        }
    }

    private void checkAddress(URI uri) throws InvalidImageException {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            throw new InvalidImageException("image.url_unresolvable", "cannot resolve " + uri.getHost());
        }
        if (settings.allowPrivate()) {
            return;
        }
        for (InetAddress a : addresses) {
            if (isBlocked.test(a)) {
                throw new InvalidImageException("image.url_blocked_address", uri.getHost() + " is " + a.getHostAddress()
                        + ", a loopback, private, link-local or metadata address");
            }
        }
    }

    /** Addresses no URL source may reach unless configured: loopback, private, link-local, metadata, ... */
    static boolean blocked(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xFF;
            int second = b[1] & 0xFF;
            return first == 0 || first == 100 && second >= 64 && second < 128 // carrier-grade NAT
                    || first == 192 && second == 0 && (b[2] & 0xFF) == 0 // IETF protocol assignments
                    || first >= 240; // reserved and broadcast
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xFE) == 0xFC) {
                return true; // unique local fc00::/7 (AWS metadata fd00:ec2::254 among them)
            }
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF) {
                try {
                    return blocked(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException e) {
            // Nothing to do: the response is dropped either way.
        }
    }

    private static String shorten(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
