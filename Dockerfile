# syntax=docker/dockerfile:1
# The nitric-ws app as a container image, built from source:
#
#   docker build -t nitric-ws .
#   docker run --rm -e SERVICE_ADDRESS=<runtime host:port> nitric-ws --store=nitric
#
# The app reads SERVICE_ADDRESS, NITRIC_ENVIRONMENT (run, build or cloud) and its NITRICWS_*
# settings from the environment, as the jar does; flags after the image name go to the app.
# The base images are build arguments, so that local stand-ins can be used where no public
# registry is reachable (see .ci/README.md), and MAVEN_FLAGS adds Maven flags (e.g. --offline
# with a local repository mounted at /root/.m2).

ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUN_IMAGE=eclipse-temurin:17-jre

# Stage 1: the shaded jar, bootstrap/target/nitric-ws.jar, with Maven on a JDK 17.
FROM ${BUILD_IMAGE} AS build
ARG MAVEN_FLAGS=""
WORKDIR /src
COPY . .
RUN mvn -B -ntp -q ${MAVEN_FLAGS} -Dmaven.test.skip=true -pl bootstrap -am package \
 && cp bootstrap/target/nitric-ws.jar /nitric-ws.jar

# Stage 2: the jar alone on a JRE 17, as a user without privileges.
FROM ${RUN_IMAGE}
RUN groupadd --gid 10001 nitricws \
 && useradd --uid 10001 --gid 10001 --home-dir /usr/app --no-create-home --shell /usr/sbin/nologin nitricws
COPY --from=build /nitric-ws.jar /usr/app/app.jar
USER 10001:10001
WORKDIR /usr/app
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/usr/app/app.jar"]
