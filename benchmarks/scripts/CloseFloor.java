import java.net.*; import java.nio.*; import java.nio.channels.*; import java.util.*; import java.util.concurrent.*;
/** The floor of the idle-close figure on this machine: one bare JVM closes N accepted loopback sockets, no server, no Ebb. Usage: java CloseFloor.java N THREADS */
public class CloseFloor {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[0]); int threads = Integer.parseInt(a[1]);
    ServerSocketChannel ss = ServerSocketChannel.open(); ss.bind(new InetSocketAddress("127.0.0.1",0), 1024);
    int port = ((InetSocketAddress) ss.getLocalAddress()).getPort();
    List<SocketChannel> server = Collections.synchronizedList(new ArrayList<>());
    Thread acc = new Thread(() -> { try { for (int i=0;i<n;i++) server.add(ss.accept()); } catch (Exception e) { throw new RuntimeException(e);} }); acc.start();
    Selector sel = Selector.open(); List<SocketChannel> cl = new ArrayList<>();
    for (int i=0;i<n;i++){ SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1",port)); c.configureBlocking(false); c.register(sel, SelectionKey.OP_READ); cl.add(c);}
    acc.join();
    long t0=System.nanoTime();
    Thread[] ts = new Thread[threads];
    for (int t=0;t<threads;t++){ final int tt=t; ts[t]=new Thread(() -> { for (int i=tt;i<n;i+=threads) { try { server.get(i).close(); } catch (Exception e) {} } }); ts[t].start(); }
    int closed=0; long last=t0; ByteBuffer b=ByteBuffer.allocate(64);
    while (closed<n) { sel.select(1000); for (SelectionKey k: sel.selectedKeys()) { int r; try { b.clear(); r=((SocketChannel)k.channel()).read(b);} catch(Exception e){r=-1;} if (r<0){k.cancel(); closed++; last=System.nanoTime();} } sel.selectedKeys().clear(); }
    long serverDone=0; for (Thread t: ts) t.join();
    System.out.println("threads="+threads+" all_closed_ms="+(last-t0)/1_000_000);
  }
}
