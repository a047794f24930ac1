package dev.webshell.detector.event;

import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * A Windows event's {@code EventData} rendered as XML ({@code <EventData><Data
 * Name="Image">…</Data>…}, possibly inside Sentinel's {@code <DataItem>}), as the Azure Monitor
 * {@code Event} table exports it with no field of its own beside it. No DTD, no external entity.
 */
final class EventDataXml {
  private static final XMLInputFactory FACTORY = factory();

  private EventDataXml() {}

  private static XMLInputFactory factory() {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_COALESCING, true);
    return f;
  }

  /**
   * The {@code Data} elements named in {@code wanted}; the last of a repeated name wins.
   *
   * @throws DecodeException ({@code bad-field}) when the text is not well-formed XML
   */
  static Map<String, String> read(String xml, Set<String> wanted) {
    Map<String, String> out = new HashMap<>();
    XMLStreamReader r = null;
    try {
      r = FACTORY.createXMLStreamReader(new StringReader(xml));
      while (r.hasNext()) {
        if (r.next() == XMLStreamConstants.START_ELEMENT && r.getLocalName().equals("Data")) {
          String name = r.getAttributeValue(null, "Name");
          if (name != null && wanted.contains(name)) {
            out.put(name, r.getElementText());
          }
        }
      }
      return out;
    } catch (XMLStreamException | RuntimeException e) {
      throw new DecodeException("bad-field", "EventData is not well-formed XML");
    } finally {
      if (r != null) {
        try {
          r.close();
        } catch (XMLStreamException e) {
          // nothing held open: the reader reads a string
        }
      }
    }
  }
}
