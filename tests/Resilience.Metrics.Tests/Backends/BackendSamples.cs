using System.Text;

namespace Resilience.Metrics.Tests;

/// <summary>Realistic response bodies of each backend API, non-streaming and streaming.</summary>
internal static class BackendSamples
{
    public const string OpenAIChatCompletion = """
        {
          "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
          "object": "chat.completion",
          "created": 1741569952,
          "model": "gpt-4o-2024-08-06",
          "choices": [
            {
              "index": 0,
              "message": {
                "role": "assistant",
                "content": "Hello! How can I assist you today?",
                "refusal": null,
                "annotations": []
              },
              "logprobs": null,
              "finish_reason": "stop"
            }
          ],
          "usage": {
            "prompt_tokens": 19,
            "completion_tokens": 10,
            "total_tokens": 29,
            "prompt_tokens_details": { "cached_tokens": 0, "audio_tokens": 0 },
            "completion_tokens_details": {
              "reasoning_tokens": 0,
              "audio_tokens": 0,
              "accepted_prediction_tokens": 0,
              "rejected_prediction_tokens": 0
            }
          },
          "service_tier": "default",
          "system_fingerprint": "fp_fc9f1d7035"
        }
        """;

    public const string OpenAIResponsesApi = """
        {
          "id": "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
          "object": "response",
          "created_at": 1741476542,
          "status": "completed",
          "model": "gpt-4.1-2025-04-14",
          "output": [
            {
              "type": "message",
              "id": "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b",
              "status": "completed",
              "role": "assistant",
              "content": [ { "type": "output_text", "text": "In a peaceful grove...", "annotations": [] } ]
            }
          ],
          "usage": {
            "input_tokens": 36,
            "input_tokens_details": { "cached_tokens": 0 },
            "output_tokens": 87,
            "output_tokens_details": { "reasoning_tokens": 0 },
            "total_tokens": 123
          }
        }
        """;

    public const string OpenAIStream =
        "data: {\"id\":\"chatcmpl-AyPPt5\",\"object\":\"chat.completion.chunk\",\"created\":1738960861,\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_72ed7ab54c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
        + "data: {\"id\":\"chatcmpl-AyPPt5\",\"object\":\"chat.completion.chunk\",\"created\":1738960861,\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_72ed7ab54c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
        + "data: {\"id\":\"chatcmpl-AyPPt5\",\"object\":\"chat.completion.chunk\",\"created\":1738960861,\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_72ed7ab54c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there! \\u00e9\\n\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
        + "data: {\"id\":\"chatcmpl-AyPPt5\",\"object\":\"chat.completion.chunk\",\"created\":1738960861,\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_72ed7ab54c\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
        + "data: {\"id\":\"chatcmpl-AyPPt5\",\"object\":\"chat.completion.chunk\",\"created\":1738960861,\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_72ed7ab54c\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,\"total_tokens\":21,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n"
        + "data: [DONE]\n\n";

    public const string AnthropicMessage = """
        {
          "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
          "type": "message",
          "role": "assistant",
          "model": "claude-sonnet-4-20250514",
          "content": [ { "type": "text", "text": "Hello! How can I help you today?" } ],
          "stop_reason": "end_turn",
          "stop_sequence": null,
          "usage": {
            "input_tokens": 12,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 6,
            "service_tier": "standard"
          }
        }
        """;

    public const string AnthropicStream =
        "event: message_start\n"
        + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-3-5-sonnet-20241022\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
        + "event: content_block_start\n"
        + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
        + "event: ping\n"
        + "data: {\"type\": \"ping\"}\n\n"
        + "event: content_block_delta\n"
        + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n"
        + "event: content_block_delta\n"
        + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"! \\u65e5\\u672c\"}}\n\n"
        + "event: content_block_stop\n"
        + "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        + "event: message_delta\n"
        + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}\n\n"
        + "event: message_stop\n"
        + "data: {\"type\":\"message_stop\"}\n\n";

    public const string GroqChatCompletion = """
        {
          "id": "chatcmpl-f51b2cd2-bef7-417e-964e-a08f0b513c22",
          "object": "chat.completion",
          "created": 1730241104,
          "model": "llama3-8b-8192",
          "choices": [
            {
              "index": 0,
              "message": { "role": "assistant", "content": "Fast language models have gained significant attention..." },
              "logprobs": null,
              "finish_reason": "stop"
            }
          ],
          "usage": {
            "queue_time": 0.037493756,
            "prompt_tokens": 18,
            "prompt_time": 0.000680594,
            "completion_tokens": 556,
            "completion_time": 0.463333333,
            "total_tokens": 574,
            "total_time": 0.464013927
          },
          "system_fingerprint": "fp_179b0f92c9",
          "x_groq": { "id": "req_01jbd6g2qdfw2adyrt2az8hz4w" }
        }
        """;

    public const string GroqStream =
        "data: {\"id\":\"chatcmpl-2a1b\",\"object\":\"chat.completion.chunk\",\"created\":1730241104,\"model\":\"llama-3.1-8b-instant\",\"system_fingerprint\":\"fp_9cb648b966\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],\"x_groq\":{\"id\":\"req_01jbd6g2qdfw2adyrt2az8hz4w\"}}\n\n"
        + "data: {\"id\":\"chatcmpl-2a1b\",\"object\":\"chat.completion.chunk\",\"created\":1730241104,\"model\":\"llama-3.1-8b-instant\",\"system_fingerprint\":\"fp_9cb648b966\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
        + "data: {\"id\":\"chatcmpl-2a1b\",\"object\":\"chat.completion.chunk\",\"created\":1730241104,\"model\":\"llama-3.1-8b-instant\",\"system_fingerprint\":\"fp_9cb648b966\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"x_groq\":{\"id\":\"req_01jbd6g2qdfw2adyrt2az8hz4w\",\"usage\":{\"queue_time\":0.019,\"prompt_tokens\":40,\"prompt_time\":0.002,\"completion_tokens\":7,\"completion_time\":0.005,\"total_tokens\":47,\"total_time\":0.007}}}\n\n"
        + "data: [DONE]\n\n";

    public const string GeminiGenerateContent = """
        {
          "candidates": [
            {
              "content": {
                "parts": [ { "text": "Hello there! How can I help you today?" } ],
                "role": "model"
              },
              "finishReason": "STOP",
              "avgLogprobs": -0.0123456
            }
          ],
          "usageMetadata": {
            "promptTokenCount": 2,
            "candidatesTokenCount": 10,
            "totalTokenCount": 12,
            "promptTokensDetails": [ { "modality": "TEXT", "tokenCount": 2 } ],
            "candidatesTokensDetails": [ { "modality": "TEXT", "tokenCount": 10 } ]
          },
          "modelVersion": "gemini-2.0-flash",
          "responseId": "Xo5faJ2XM7GX7dcP1bGJ6Ac"
        }
        """;

    public const string GeminiStream =
        "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"The\"}],\"role\": \"model\"}}],\"usageMetadata\": {\"promptTokenCount\": 8,\"totalTokenCount\": 8},\"modelVersion\": \"gemini-2.0-flash\"}\r\n\r\n"
        + "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" quick brown fox\"}],\"role\": \"model\"}}],\"usageMetadata\": {\"promptTokenCount\": 8,\"candidatesTokenCount\": 4,\"totalTokenCount\": 12},\"modelVersion\": \"gemini-2.0-flash\"}\r\n\r\n"
        + "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" jumps over the lazy dog.\"}],\"role\": \"model\"},\"finishReason\": \"STOP\"}],\"usageMetadata\": {\"promptTokenCount\": 8,\"candidatesTokenCount\": 12,\"totalTokenCount\": 20,\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 8}]},\"modelVersion\": \"gemini-2.0-flash\",\"responseId\": \"abc\"}\r\n\r\n";

    /// <summary>streamGenerateContent without alt=sse: a JSON array streamed element by element.</summary>
    public const string GeminiJsonArrayStream = """
        [{
          "candidates": [ { "content": { "parts": [ { "text": "The" } ], "role": "model" } } ],
          "usageMetadata": { "promptTokenCount": 8, "totalTokenCount": 8 },
          "modelVersion": "gemini-1.5-flash-002"
        }
        ,
        {
          "candidates": [ { "content": { "parts": [ { "text": " end." } ], "role": "model" }, "finishReason": "STOP" } ],
          "usageMetadata": { "promptTokenCount": 8, "candidatesTokenCount": 5, "totalTokenCount": 13 },
          "modelVersion": "gemini-1.5-flash-002"
        }
        ]
        """;

    public const string OllamaGenerate = """
        {
          "model": "llama3.2",
          "created_at": "2023-08-04T19:22:45.499127Z",
          "response": "The sky is blue because of Rayleigh scattering.",
          "done": true,
          "done_reason": "stop",
          "context": [1, 2, 3],
          "total_duration": 5043500667,
          "load_duration": 5025959,
          "prompt_eval_count": 26,
          "prompt_eval_duration": 325953000,
          "eval_count": 290,
          "eval_duration": 4709213000
        }
        """;

    public const string OllamaChat = """
        {
          "model": "llama3.2",
          "created_at": "2023-12-12T14:13:43.416799Z",
          "message": { "role": "assistant", "content": "Hello! How are you today?" },
          "done_reason": "stop",
          "done": true,
          "total_duration": 5191566416,
          "load_duration": 2154458,
          "prompt_eval_count": 26,
          "prompt_eval_duration": 383809000,
          "eval_count": 298,
          "eval_duration": 4799921000
        }
        """;

    public const string OllamaChatStream =
        "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T08:52:19.385406455-07:00\",\"message\":{\"role\":\"assistant\",\"content\":\"The\"},\"done\":false}\n"
        + "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T08:52:19.385406455-07:00\",\"message\":{\"role\":\"assistant\",\"content\":\" sky\"},\"done\":false}\n"
        + "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T08:52:19.385406455-07:00\",\"message\":{\"role\":\"assistant\",\"content\":\" is blue.\"},\"done\":false}\n"
        + "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T19:22:45.499127Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":4883583458,\"load_duration\":1334875,\"prompt_eval_count\":26,\"prompt_eval_duration\":342546000,\"eval_count\":282,\"eval_duration\":4535599000}\n";

    public const string TgiGenerate = """
        {
          "generated_text": "Deep learning is a subset of machine learning",
          "details": {
            "finish_reason": "length",
            "generated_tokens": 20,
            "seed": null,
            "prefill": [],
            "tokens": [
              { "id": 4911, "text": "Deep", "logprob": -0.5, "special": false },
              { "id": 6509, "text": " learning", "logprob": -0.1, "special": false }
            ]
          }
        }
        """;

    /// <summary>The Hugging Face inference API wraps the TGI answer in an array; decoder_input_details returns prefill.</summary>
    public const string TgiGenerateArrayWithPrefill = """
        [
          {
            "generated_text": " Paris.",
            "details": {
              "finish_reason": "eos_token",
              "generated_tokens": 3,
              "seed": null,
              "prefill": [
                { "id": 1, "text": "<s>", "logprob": null },
                { "id": 3681, "text": "What", "logprob": -9.1 },
                { "id": 338, "text": " is", "logprob": -1.2 },
                { "id": 278, "text": " the", "logprob": -0.9 },
                { "id": 7483, "text": " capital", "logprob": -3.4 }
              ],
              "tokens": [
                { "id": 3681, "text": " Paris", "logprob": -0.2, "special": false },
                { "id": 29889, "text": ".", "logprob": -0.1, "special": false },
                { "id": 2, "text": "</s>", "logprob": -0.05, "special": true }
              ]
            }
          }
        ]
        """;

    public const string TgiStream =
        "data:{\"index\":1,\"token\":{\"id\":578,\"text\":\" The\",\"logprob\":-0.39,\"special\":false},\"generated_text\":null,\"details\":null}\n\n"
        + "data:{\"index\":2,\"token\":{\"id\":4320,\"text\":\" answer\",\"logprob\":-0.12,\"special\":false},\"generated_text\":null,\"details\":null}\n\n"
        + "data:{\"index\":3,\"token\":{\"id\":2,\"text\":\"</s>\",\"logprob\":-0.01,\"special\":true},\"generated_text\":\" The answer\",\"details\":{\"finish_reason\":\"eos_token\",\"generated_tokens\":3,\"seed\":null}}\n\n";

    public const string TeiEmbed = "[[0.00301, -0.01917, 0.03102, -0.00724, 0.0455], [0.0121, 0.0035, -0.0462, 0.0184, -0.0071]]";

    public const string TeiOpenAIEmbeddings = """
        {
          "object": "list",
          "data": [ { "object": "embedding", "embedding": [0.0023, -0.0093, 0.0157], "index": 0 } ],
          "model": "BAAI/bge-large-en-v1.5",
          "usage": { "prompt_tokens": 7, "total_tokens": 7 }
        }
        """;

    public const string OvmsPredict = """
        {
            "predictions": [[0.000213, 0.9981, 0.00162]]
        }
        """;

    public const string OvmsChatCompletion = """
        {
          "choices": [ { "finish_reason": "stop", "index": 0, "logprobs": null, "message": { "content": "OpenVINO is ...", "role": "assistant" } } ],
          "created": 1716825108,
          "model": "meta-llama/Meta-Llama-3-8B-Instruct",
          "object": "chat.completion",
          "usage": { "prompt_tokens": 27, "completion_tokens": 30, "total_tokens": 57 }
        }
        """;

    public const string OpeaChatQnA = """
        {
          "id": "chatcmpl-6xVjWuzCaBhrUjkyx9aoo5",
          "object": "chat.completion",
          "created": 1726038426,
          "model": "chatqna",
          "choices": [ { "index": 0, "message": { "role": "assistant", "content": "OPEA is ..." }, "finish_reason": "stop", "metadata": null } ],
          "usage": { "prompt_tokens": 41, "total_tokens": 113, "completion_tokens": 72 }
        }
        """;

    /// <summary>The IPFS-accelerate llvm backend, assumed OpenAI-compatible: a bare model and usage.</summary>
    public const string LlvmResponse = """
        { "text": "int main() { return 0; }", "model": "llvm-codegen-7b", "usage": { "prompt_tokens": 11, "completion_tokens": 9 } }
        """;

    public const string S3ListBucket = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><KeyCount>0</KeyCount></ListBucketResult>
        """;

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
