package dev.nitricws.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.Type;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.nitricws.proto.kvstore.v1.KvStoreGrpc;
import dev.nitricws.proto.kvstore.v1.KvStoreSetValueRequest;
import dev.nitricws.proto.kvstore.v1.ValueRef;
import dev.nitricws.proto.resources.v1.Action;
import dev.nitricws.proto.resources.v1.ResourceDeclareRequest;
import dev.nitricws.proto.resources.v1.ResourceType;
import dev.nitricws.proto.resources.v1.ResourcesGrpc;
import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.ServerMessage;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionEvent;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.proto.websockets.v1.WebsocketGrpc;
import dev.nitricws.proto.websockets.v1.WebsocketHandlerGrpc;
import io.grpc.MethodDescriptor.MethodType;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Pins the names, numbers and types that must match the official Nitric v1 SDKs on the wire. */
class WireContractTest {

  private static void assertField(Descriptor message, String name, int number, Type type) {
    FieldDescriptor field = message.findFieldByName(name);
    assertThat(field).as("%s.%s", message.getName(), name).isNotNull();
    assertThat(field.getNumber()).as("%s.%s number", message.getName(), name).isEqualTo(number);
    assertThat(field.getType()).as("%s.%s type", message.getName(), name).isEqualTo(type);
  }

  @Test
  void protoPackagesAreTheNitricOnes() {
    assertThat(ClientMessage.getDescriptor().getFile().getPackage()).isEqualTo("nitric.proto.websockets.v1");
    assertThat(KvStoreSetValueRequest.getDescriptor().getFile().getPackage()).isEqualTo("nitric.proto.kvstore.v1");
    assertThat(ResourceDeclareRequest.getDescriptor().getFile().getPackage()).isEqualTo("nitric.proto.resources.v1");
  }

  @Test
  void serviceAndMethodNamesMatchTheContract() {
    assertThat(WebsocketGrpc.getSendMessageMethod().getFullMethodName())
        .isEqualTo("nitric.proto.websockets.v1.Websocket/SendMessage");
    assertThat(WebsocketGrpc.getCloseConnectionMethod().getFullMethodName())
        .isEqualTo("nitric.proto.websockets.v1.Websocket/CloseConnection");
    assertThat(WebsocketGrpc.getSocketDetailsMethod().getFullMethodName())
        .isEqualTo("nitric.proto.websockets.v1.Websocket/SocketDetails");
    assertThat(WebsocketHandlerGrpc.getHandleEventsMethod().getFullMethodName())
        .isEqualTo("nitric.proto.websockets.v1.WebsocketHandler/HandleEvents");
    assertThat(WebsocketHandlerGrpc.getHandleEventsMethod().getType()).isEqualTo(MethodType.BIDI_STREAMING);
    assertThat(KvStoreGrpc.getScanKeysMethod().getFullMethodName())
        .isEqualTo("nitric.proto.kvstore.v1.KvStore/ScanKeys");
    assertThat(KvStoreGrpc.getScanKeysMethod().getType()).isEqualTo(MethodType.SERVER_STREAMING);
    assertThat(ResourcesGrpc.getDeclareMethod().getFullMethodName())
        .isEqualTo("nitric.proto.resources.v1.Resources/Declare");
  }

  @Test
  void websocketMessagesUseTheContractNumbers() {
    assertField(ClientMessage.getDescriptor(), "id", 1, Type.STRING);
    assertField(ClientMessage.getDescriptor(), "registration_request", 2, Type.MESSAGE);
    assertField(ClientMessage.getDescriptor(), "websocket_event_response", 3, Type.MESSAGE);
    assertField(ServerMessage.getDescriptor(), "registration_response", 2, Type.MESSAGE);
    assertField(ServerMessage.getDescriptor(), "websocket_event_request", 3, Type.MESSAGE);
    assertField(WebsocketEventRequest.getDescriptor(), "connection", 10, Type.MESSAGE);
    assertField(WebsocketEventRequest.getDescriptor(), "disconnection", 11, Type.MESSAGE);
    assertField(WebsocketEventRequest.getDescriptor(), "message", 12, Type.MESSAGE);
    assertThat(WebsocketConnectionEvent.getDescriptor().findFieldByName("query_params").isMapField()).isTrue();
    assertThat(WebsocketEventType.Message.getNumber()).isEqualTo(2);
  }

  @Test
  void theRejectExtensionFieldsUseNumbersFromOneThousandUp() {
    assertField(WebsocketConnectionResponse.getDescriptor(), "reject", 1, Type.BOOL);
    assertField(WebsocketConnectionResponse.getDescriptor(), "reject_status", 1001, Type.INT32);
    assertField(WebsocketConnectionResponse.getDescriptor(), "reject_reason", 1002, Type.STRING);
  }

  /**
   * Nitric's schema of the connection response has {@code reject = 1} alone: a runtime built from
   * it reads our reject as a reject and skips the extension fields, and one from us reads its
   * plain reject with no status.
   */
  @Test
  void aRuntimeThatDoesNotKnowTheExtensionFieldsStillReadsTheReject() throws Exception {
    Descriptor nitrics = FileDescriptor.buildFrom(FileDescriptorProto.newBuilder()
        .setName("upstream.proto").setPackage("nitric.proto.websockets.v1").setSyntax("proto3")
        .addMessageType(DescriptorProto.newBuilder().setName("WebsocketConnectionResponse")
            .addField(FieldDescriptorProto.newBuilder().setName("reject").setNumber(1)
                .setType(FieldDescriptorProto.Type.TYPE_BOOL).setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)))
        .build(), new FileDescriptor[0]).findMessageTypeByName("WebsocketConnectionResponse");
    byte[] ours = WebsocketConnectionResponse.newBuilder()
        .setReject(true).setRejectStatus(401).setRejectReason("expired token").build().toByteArray();

    DynamicMessage read = DynamicMessage.parseFrom(nitrics, ours);

    assertThat(read.getField(nitrics.findFieldByName("reject"))).isEqualTo(true);
    assertThat(read.getUnknownFields().asMap()).containsOnlyKeys(1001, 1002);
    byte[] theirs = DynamicMessage.newBuilder(nitrics).setField(nitrics.findFieldByName("reject"), true).build().toByteArray();
    WebsocketConnectionResponse plain = WebsocketConnectionResponse.parseFrom(theirs);
    assertThat(plain.getReject()).isTrue();
    assertThat(plain.getRejectStatus()).isZero();
    assertThat(plain.getRejectReason()).isEmpty();
  }

  /**
   * A SetValue request as an official SDK puts it on the wire, encoded by hand from Nitric's
   * {@code kvstore.proto} (ref = 1 with store = 1 and key = 2; content = 3, a Struct): our
   * messages must read it field for field and write the same bytes.
   */
  @Test
  void kvSetValueReadsAndWritesTheBytesOfTheNitricSchema() throws Exception {
    byte[] wire = HexFormat.of().parseHex(
        "0a12" + "0a0b" + hex("connections") + "1203" + hex("abc")   // ref {store, key}
            + "1a10" + "0a0e" + "0a01" + hex("x")                      // content {fields {key "x"
            + "1209" + "11" + "000000000000f03f");                       //   value {number_value 1.0}}}

    KvStoreSetValueRequest request = KvStoreSetValueRequest.parseFrom(wire);

    assertThat(request.getUnknownFields().asMap()).as("fields our schema does not know").isEmpty();
    assertThat(request.getRef().getStore()).isEqualTo("connections");
    assertThat(request.getRef().getKey()).isEqualTo("abc");
    assertThat(request.getContent().getFieldsOrThrow("x").getNumberValue()).isEqualTo(1.0);
    KvStoreSetValueRequest ours = KvStoreSetValueRequest.newBuilder()
        .setRef(ValueRef.newBuilder().setStore("connections").setKey("abc"))
        .setContent(Struct.newBuilder().putFields("x", Value.newBuilder().setNumberValue(1).build()))
        .build();
    assertThat(HexFormat.of().formatHex(ours.toByteArray())).isEqualTo(HexFormat.of().formatHex(wire));
  }

  private static String hex(String ascii) {
    return HexFormat.of().formatHex(ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  @Test
  void resourceNumbersMatchTheContract() {
    assertField(ResourceDeclareRequest.getDescriptor(), "policy", 10, Type.MESSAGE);
    assertField(ResourceDeclareRequest.getDescriptor(), "key_value_store", 13, Type.MESSAGE);
    assertThat(ResourceType.Websocket.getNumber()).isEqualTo(10);
    assertThat(ResourceType.KeyValueStore.getNumber()).isEqualTo(6);
    assertThat(ResourceType.Policy.getNumber()).isEqualTo(7);
    assertThat(Action.WebsocketManage.getNumber()).isEqualTo(500);
    assertThat(Action.KeyValueStoreDelete.getNumber()).isEqualTo(302);
  }
}
