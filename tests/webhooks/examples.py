"""The example callbacks of reference/bandwidth-callbacks.md and restcomm-callbacks.md, as
sent (the JSON made valid; the forms exactly as on the wire)."""

from __future__ import annotations

from typing import Any

# initiate (inbound call arrives; POST to CallInitiatedCallbackUrl)
INITIATE: dict[str, Any] = {
    "eventType": "initiate",
    "eventTime": "2025-03-04T15:02:11.482Z",
    "accountId": "9900000",
    "applicationId": "3f0e8c7a-5b1d-4e2a-9c61-2d7b8f4a1e90",
    "from": "+19195550142",
    "to": "+19845550187",
    "direction": "inbound",
    "callId": "c-2b7d91e4-6f0a4c3e-8a15-4d2b-9e07-5c3a1f8b6d24",
    "callUrl": "https://voice.bandwidth.com/api/v2/accounts/9900000/calls/c-2b7d91e4-6f0a4c3e-8a15-4d2b-9e07-5c3a1f8b6d24",
    "startTime": "2025-03-04T15:02:11.301Z",
    "stirShaken": {
        "verstat": "TN-Validation-Passed",
        "attestationIndicator": "A",
        "originatingId": "5e1c9a40-f9a2-11ef-8c1b-0242ac120002",
    },
}

# answer (outbound call answered; sync detection result inline)
ANSWER: dict[str, Any] = {
    "eventType": "answer",
    "eventTime": "2025-03-04T15:10:42.917Z",
    "accountId": "9900000",
    "applicationId": "3f0e8c7a-5b1d-4e2a-9c61-2d7b8f4a1e90",
    "from": "+19845550187",
    "to": "+13125550199",
    "direction": "outbound",
    "callId": "c-7a4e20b1-93d5c8f2-1e6b-4f70-b3a9-8d2c5e1f0a47",
    "callUrl": "https://voice.bandwidth.com/api/v2/accounts/9900000/calls/c-7a4e20b1-93d5c8f2-1e6b-4f70-b3a9-8d2c5e1f0a47",
    "enqueuedTime": "2025-03-04T15:10:30.004Z",
    "startTime": "2025-03-04T15:10:30.612Z",
    "answerTime": "2025-03-04T15:10:42.880Z",
    "tag": "order-5521",
    "machineDetectionResult": {"value": "human", "duration": "PT2.4410593S"},
}

# disconnect, outbound call busy (never answered)
DISCONNECT_BUSY: dict[str, Any] = {
    "eventType": "disconnect",
    "eventTime": "2025-03-04T15:20:05.233Z",
    "accountId": "9900000",
    "applicationId": "3f0e8c7a-5b1d-4e2a-9c61-2d7b8f4a1e90",
    "from": "+19845550187",
    "to": "+13125550143",
    "direction": "outbound",
    "callId": "c-0d3f5a62-4b8e71c9-2f4d-4a1b-8c6e-7b9d0e2f3a15",
    "callUrl": "https://voice.bandwidth.com/api/v2/accounts/9900000/calls/c-0d3f5a62-4b8e71c9-2f4d-4a1b-8c6e-7b9d0e2f3a15",
    "enqueuedTime": "2025-03-04T15:19:58.410Z",
    "startTime": "2025-03-04T15:19:58.977Z",
    "endTime": "2025-03-04T15:20:04.981Z",
    "cause": "busy",
    "errorMessage": "Callee is busy",
    "errorId": "8b1f2c3d-4e5a-4b6c-9d7e-0f1a2b3c4d5e",
    "sipResponseCode": 486,
}

# disconnect, answered inbound call ended normally
DISCONNECT_HANGUP: dict[str, Any] = {
    "eventType": "disconnect",
    "eventTime": "2025-03-04T15:07:40.118Z",
    "accountId": "9900000",
    "applicationId": "3f0e8c7a-5b1d-4e2a-9c61-2d7b8f4a1e90",
    "from": "+19195550142",
    "to": "+19845550187",
    "direction": "inbound",
    "callId": "c-2b7d91e4-6f0a4c3e-8a15-4d2b-9e07-5c3a1f8b6d24",
    "callUrl": "https://voice.bandwidth.com/api/v2/accounts/9900000/calls/c-2b7d91e4-6f0a4c3e-8a15-4d2b-9e07-5c3a1f8b6d24",
    "startTime": "2025-03-04T15:02:11.301Z",
    "answerTime": "2025-03-04T15:02:12.045Z",
    "endTime": "2025-03-04T15:07:39.872Z",
    "cause": "hangup",
    "sipCallId": "2b7d91e46f0a4c3e8a154d2b9e075c3a@sbc.bandwidth.com",
}

# redirect (after `POST /calls/{callId}` with `state: active`)
REDIRECT: dict[str, Any] = {
    "eventType": "redirect",
    "eventTime": "2025-03-04T15:12:03.550Z",
    "accountId": "9900000",
    "applicationId": "3f0e8c7a-5b1d-4e2a-9c61-2d7b8f4a1e90",
    "from": "+19845550187",
    "to": "+13125550199",
    "direction": "outbound",
    "callId": "c-7a4e20b1-93d5c8f2-1e6b-4f70-b3a9-8d2c5e1f0a47",
    "callUrl": "https://voice.bandwidth.com/api/v2/accounts/9900000/calls/c-7a4e20b1-93d5c8f2-1e6b-4f70-b3a9-8d2c5e1f0a47",
    "enqueuedTime": "2025-03-04T15:10:30.004Z",
    "startTime": "2025-03-04T15:10:30.612Z",
    "answerTime": "2025-03-04T15:10:42.880Z",
    "tag": "order-5521",
}

# transferComplete (A-leg continues; the B-leg was busy)
TRANSFER_COMPLETE: dict[str, Any] = {
    "eventType": "transferComplete",
    "eventTime": "2025-03-04T15:31:17.064Z",
    "accountId": "9900000",
    "applicationId": "3f0e8c7a-5b1d-4e2a-9c61-2d7b8f4a1e90",
    "from": "+19195550142",
    "to": "+19845550187",
    "direction": "inbound",
    "callId": "c-5e8a13f7-2c9b40d6-7a1e-4b3f-a5c8-1d9e6f2b7c30",
    "callUrl": "https://voice.bandwidth.com/api/v2/accounts/9900000/calls/c-5e8a13f7-2c9b40d6-7a1e-4b3f-a5c8-1d9e6f2b7c30",
    "startTime": "2025-03-04T15:30:51.220Z",
    "answerTime": "2025-03-04T15:30:51.905Z",
    "transferCallerId": "+19845550187",
    "transferTo": "+16465550121",
    "cause": "busy",
    "errorMessage": "Callee is busy",
    "errorId": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
}

# machineDetectionComplete (async mode)
MACHINE_DETECTION: dict[str, Any] = {
    "eventType": "machineDetectionComplete",
    "eventTime": "2025-03-04T15:41:09.332Z",
    "accountId": "9900000",
    "applicationId": "3f0e8c7a-5b1d-4e2a-9c61-2d7b8f4a1e90",
    "from": "+19845550187",
    "to": "+17735550166",
    "direction": "outbound",
    "callId": "c-9c2e7d40-1a5f83b6-4d0c-4e9a-b2f7-6a8c1e3d5b09",
    "callUrl": "https://voice.bandwidth.com/api/v2/accounts/9900000/calls/c-9c2e7d40-1a5f83b6-4d0c-4e9a-b2f7-6a8c1e3d5b09",
    "startTime": "2025-03-04T15:40:58.140Z",
    "answerTime": "2025-03-04T15:41:03.771Z",
    "tag": "campaign-7",
    "machineDetectionResult": {"value": "answering-machine", "duration": "PT5.5612938S"},
}

# transferDisconnect (B-leg ended after talking)
TRANSFER_DISCONNECT: dict[str, Any] = {
    "eventType": "transferDisconnect",
    "eventTime": "2025-03-04T15:36:02.711Z",
    "accountId": "9900000",
    "applicationId": "3f0e8c7a-5b1d-4e2a-9c61-2d7b8f4a1e90",
    "from": "+19195550142",
    "to": "+19845550187",
    "direction": "outbound",
    "callId": "c-4f1b6e92-8d3a05c7-3b2e-4c8d-9f1a-2e7c4b6d8a13",
    "parentCallId": "c-5e8a13f7-2c9b40d6-7a1e-4b3f-a5c8-1d9e6f2b7c30",
    "callUrl": "https://voice.bandwidth.com/api/v2/accounts/9900000/calls/c-4f1b6e92-8d3a05c7-3b2e-4c8d-9f1a-2e7c4b6d8a13",
    "startTime": "2025-03-04T15:32:40.003Z",
    "answerTime": "2025-03-04T15:32:44.620Z",
    "endTime": "2025-03-04T15:36:02.450Z",
    "transferCallerId": "+19845550187",
    "transferTo": "+16465550122",
    "cause": "hangup",
}

# Progress event, API call answered (POST body, one line on the wire)
RC_ANSWERED = (
    "InstanceId=ID6f1c0d2b9e8a4c7f8d3e2a1b0c9d8e7f&AccountSid=ACae6e420f425248d6a26948c17a9e2"
    "acf&CallSid=ID6f1c0d2b9e8a4c7f8d3e2a1b0c9d8e7f-CA4b2e9d7c1a0f4e3b8c6d5a4f3e2d1c0b&From=%"
    "2B15551230000&To=%2B15557650001&Direction=outbound-api&CallerName=%2B15551230000&Forward"
    "edFrom&CallStatus=answered&Timestamp=Tue%2C+04+Mar+2025+15%3A10%3A42+UTC&CallbackSource="
    "call-progress-events&SequenceNumber=2"
)

# Progress event, same call ended busy (note `completed`, `CallDuration=0`)
RC_BUSY = (
    "InstanceId=ID6f1c0d2b9e8a4c7f8d3e2a1b0c9d8e7f&AccountSid=ACae6e420f425248d6a26948c17a9e2"
    "acf&CallSid=ID6f1c0d2b9e8a4c7f8d3e2a1b0c9d8e7f-CA9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d&From=%"
    "2B15551230000&To=%2B15557650002&Direction=outbound-api&CallerName=%2B15551230000&Forward"
    "edFrom&CallStatus=completed&CallDuration=0&Timestamp=Tue%2C+04+Mar+2025+15%3A20%3A05+UTC"
    "&CallbackSource=call-progress-events&SequenceNumber=3"
)

# Progress event, `<Dial><Client statusCallback=...>alice</Client></Dial>` leg, GET query
RC_DIAL_RINGING_GET = (
    "GET /hooks/rc/8f3a1c/status?InstanceId=ID6f1c0d2b9e8a4c7f8d3e2a1b0c9d8e7f&AccountSid=ACa"
    "e6e420f425248d6a26948c17a9e2acf&CallSid=ID6f1c0d2b9e8a4c7f8d3e2a1b0c9d8e7f-CA1f2e3d4c5b6"
    "a79880f1e2d3c4b5a6978&From=bob&To=alice&Direction=outbound-dial&CallerName=bob&Forwarded"
    "From&ParentCallSid=ID6f1c0d2b9e8a4c7f8d3e2a1b0c9d8e7f-CA0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    "&CallStatus=ringing&Timestamp=Tue%2C+04+Mar+2025+16%3A01%3A12+Europe%2FAthens&CallbackSo"
    "urce=call-progress-events&SequenceNumber=1"
)

# Interpreter callback, incoming number (POST body)
RC_INTERPRETER_COMPLETED = (
    "CallSid=ID6f1c0d2b9e8a4c7f8d3e2a1b0c9d8e7f-CA7e6d5c4b3a29180f7e6d5c4b3a29180f&InstanceId"
    "=ID6f1c0d2b9e8a4c7f8d3e2a1b0c9d8e7f&AccountSid=ACae6e420f425248d6a26948c17a9e2acf&From=%"
    "2B13125550143&To=%2B15551230000&CallStatus=completed&ApiVersion=2012-04-24&Direction=inb"
    "ound&CallerName=null&ForwardedFrom=null&CallTimestamp=2025-03-04T15%3A02%3A11.301Z"
)
