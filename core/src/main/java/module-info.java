/**
 * Ebb core: configuration, the shutdown lifecycle, signals and the adapter SPI. {@code dev.ebb} is what
 * applications use and {@code dev.ebb.spi} what adapters implement; {@code dev.ebb.internal} is not exported.
 */
module dev.ebb.core {
    requires org.slf4j;
    requires java.management;
    requires jdk.unsupported;

    exports dev.ebb;
    exports dev.ebb.spi;
}
