# esper: build the fat jar, then run it on a JRE. Not built in CI here (no Docker daemon); see docs/standalone.md.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -pl esper-standalone -am package -DskipTests

FROM eclipse-temurin:17-jre
COPY --from=build /src/esper-standalone/target/esper.jar /opt/esper/esper.jar
USER 65534:65534
EXPOSE 3000
# exec form: java is PID 1 and receives SIGTERM from 'docker stop' directly.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-jar", "/opt/esper/esper.jar", "--bind", "0.0.0.0"]
