/** The standalone esper server: embedded Jetty serving the broker with a core handler (no servlet layer), and its command line. */
package dev.esper.standalone;
