//! How the OpenAPI document is put together: schemas from the Rust types,
//! and one call per route with its parameters and answers.

use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

/// The error envelope every failure answers with.
#[derive(JsonSchema)]
#[allow(dead_code)] // only its schema is used
pub(super) struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
struct ErrorBody {
    /// A stable, machine-readable code: `invalid`, `not_found`, `conflict`, …
    code: String,
    message: String,
    /// More about the error, e.g. `{"field": "options.bloom"}`.
    details: Value,
}

pub(super) struct Builder {
    pub generator: SchemaGenerator,
    pub paths: Map<String, Value>,
}

pub(super) fn param(
    name: &str,
    place: &str,
    schema: Value,
    required: bool,
    description: &str,
) -> Value {
    json!({"name": name, "in": place, "required": required, "schema": schema, "description": description})
}

pub(super) fn job_id() -> Value {
    param(
        "id",
        "path",
        json!({"type": "string"}),
        true,
        "the job's id",
    )
}

pub(super) fn stage() -> Value {
    param(
        "stage",
        "path",
        json!({"type": "string", "enum": ["ingest", "validate", "segment", "outline", "lessons", "assessment", "questions", "assemble", "videos"]}),
        true,
        "a pipeline stage",
    )
}

impl Builder {
    pub fn schema<T: JsonSchema>(&mut self) -> Value {
        self.generator.subschema_for::<T>().to_value()
    }

    /// A download route (GET): `parameters` plus `Range`; the file as
    /// one of `types` (200, or 206 for a range), a redirect to S3 on AWS,
    /// 416 for a range past its end; and besides, any of `errors`.
    pub fn download(
        &mut self,
        path: &str,
        id: &str,
        summary: &str,
        mut parameters: Vec<Value>,
        types: &[&str],
        errors: &[u16],
    ) {
        parameters.push(param(
            "Range",
            "header",
            json!({"type": "string"}),
            false,
            "bytes=start-end: that part of the file (206)",
        ));
        let binary = json!({"type": "string", "format": "binary"});
        let files: Map<String, Value> = types
            .iter()
            .map(|t| ((*t).to_owned(), json!({"schema": binary})))
            .collect();
        let files = Value::Object(files);
        self.route(
            "get",
            path,
            id,
            summary,
            parameters,
            None,
            (200, "the file", files.clone()),
            errors,
        );
        let responses = &mut self.paths[path]["get"]["responses"];
        responses["206"] = json!({"description": "the part the Range asked for", "content": files});
        responses["307"] =
            json!({"description": "on AWS: download it from this pre-signed S3 URL (Location)"});
        responses["416"] =
            json!({"description": "the Range lies beyond the file (Content-Range: bytes */size)"});
    }

    /// Adds `method path` answering `ok` (status, description, content)
    /// and, besides, any of `errors`.
    #[allow(clippy::too_many_arguments)] // one argument per part of an operation
    pub fn route(
        &mut self,
        method: &str,
        path: &str,
        id: &str,
        summary: &str,
        parameters: Vec<Value>,
        body: Option<Value>,
        ok: (u16, &str, Value),
        errors: &[u16],
    ) {
        let error =
            json!({"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}});
        let mut responses = Map::new();
        responses.insert(
            ok.0.to_string(),
            json!({"description": ok.1, "content": ok.2}),
        );
        for code in errors.iter().chain(&[401u16, 503]) {
            responses.insert(
                code.to_string(),
                json!({"description": description(*code), "content": error}),
            );
        }
        let mut op = json!({
            "operationId": id,
            "summary": summary,
            "parameters": parameters,
            "responses": responses,
        });
        if let Some(schema) = body {
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": schema}}});
            op["responses"]["415"] = json!({"description": description(415), "content": error});
            op["responses"]["413"] = json!({"description": description(413), "content": error});
        }
        let entry = self
            .paths
            .entry(path.to_owned())
            .or_insert_with(|| json!({}));
        entry[method] = op;
    }
}

fn description(code: u16) -> &'static str {
    match code {
        400 => "the request is invalid; details.field names what",
        401 => "no valid bearer token (webhook: no valid signature)",
        403 => "the caller's role does not allow this",
        404 => "no such job (or none the caller may see), run or route",
        409 => "not allowed in the job's current state",
        412 => "If-Match names an older version of the job",
        413 => "larger than allowed",
        415 => "wrong Content-Type",
        422 => "the file is not what the upload declared",
        428 => "If-Match is required",
        429 => "the caller's upload quota is used up",
        _ => "unavailable; retry later",
    }
}

pub(super) fn json_content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}
