/** The standalone esper server: embedded Jetty serving esper-servlet, with the original command line. */
package dev.esper.standalone;
