package io.vlitforge.shared.objectstore;

import io.minio.MinioClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;

/**
 * Builds MinIO clients whose sockets have Nagle's algorithm off. The SDK's default OkHttp client leaves
 * it on, and about one small PUT in ten then stalls for 40 ms waiting for a delayed ACK; with
 * TCP_NODELAY, PUTs run two to three times faster (measured in ../shared/INFRA-NOTES.md).
 */
public final class MinioClients {

    private MinioClients() {
    }

    public static MinioClient create(String endpoint, String accessKey, String secretKey) {
        OkHttpClient http = new OkHttpClient.Builder()
                .socketFactory(new NoDelaySocketFactory())
                .connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofMinutes(2))
                .writeTimeout(Duration.ofMinutes(2))
                .build();
        return MinioClient.builder()
                .endpoint(endpoint)
                .credentials(accessKey, secretKey)
                .httpClient(http)
                .build();
    }

    /** Creates plain sockets with TCP_NODELAY set before they connect. */
    static final class NoDelaySocketFactory extends SocketFactory {
        private final SocketFactory delegate = SocketFactory.getDefault();

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(delegate.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return noDelay(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return noDelay(delegate.createSocket(address, port, localAddress, localPort));
        }

        private static Socket noDelay(Socket socket) throws IOException {
            socket.setTcpNoDelay(true);
            return socket;
        }
    }
}
