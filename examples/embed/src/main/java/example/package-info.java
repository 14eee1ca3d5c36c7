/**
 * An application that embeds t2i the way the README shows: {@link example.GenerateExample} loads a
 * bundle with {@code T2iModel.load}, asks for two images of a prompt and writes them as PNGs. It
 * is built and run by {@code mvn test}, so that the README's example keeps compiling and working
 * against the published API, with nothing but t2i-core on its classpath.
 *
 * <p>Uses: t2i-core's dev.t2i.api only, as an application should; the application's own pom picks
 * the ND4J backend ({@code nd4j-native}) and an SLF4J binding, since the library brings neither.
 */
package example;
