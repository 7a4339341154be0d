# Textos de fairlink en español. Las horas ($time, $local, $beijing) llegan ya formateadas
# para el idioma; $zone es la abreviatura y el nombre de la zona horaria.

## Cuenta

welcome-title = Le damos la bienvenida a fairlink
welcome-body = Su cuenta ya está activa.

## Solicitudes de compra y coincidencias

intent-assigned-title = Nueva solicitud de compra
intent-assigned-body = Se le ha asignado la solicitud de compra “{ $intent }”.
intent-matched-title = Coincidencia con una solicitud de compra
intent-matched-body = La solicitud de compra “{ $intent }” coincide con uno de sus productos recomendados (puntuación: { $score }).
recommendation-pushed-title = Producto recomendado
recommendation-pushed-body = “{ $exhibit }” se ajusta a su solicitud de compra “{ $intent }”.
push-email-subject = fairlink: { $count ->
        [one] un producto recomendado
       *[other] { $count } productos recomendados
    } para “{ $intent }”
push-email-intro = Estimado/a { $name }:

    { $count ->
        [one] Este producto se ajusta
       *[other] Estos productos se ajustan
    } a su solicitud de compra “{ $intent }”:
push-email-line = - { $exhibit } ({ $score }): { $reasons }

## Motivos de la recomendación

reason-similar-product = Producto similar al que busca
reason-keywords = Coincide con sus palabras clave: { $words }
reason-moq = Pedido mínimo: { $moq } { $unit }, dentro de la cantidad que necesita ({ $quantity })
reason-price = Precio: { $min }–{ $max } { $currency }, dentro de su precio objetivo
reason-certifications = Cuenta con certificación { $names }
reason-market = Envíos a { $country }
reason-market-region = Envíos a { $country } ({ $region })

## Unidades de cantidad

unit-pieces = { $count ->
        [one] unidad
       *[other] unidades
    }
unit-sets = { $count ->
        [one] juego
       *[other] juegos
    }
unit-pairs = { $count ->
        [one] par
       *[other] pares
    }
unit-meters = m
unit-square-meters = m²
unit-kilograms = kg
unit-tons = t
unit-rolls = { $count ->
        [one] rollo
       *[other] rollos
    }
unit-cartons = { $count ->
        [one] caja
       *[other] cajas
    }
unit-containers = { $count ->
        [one] contenedor
       *[other] contenedores
    }

## Tarjetas de presentación y conversaciones

card-received-title = Tarjeta de presentación recibida
card-received-body = { $sender } le ha enviado su tarjeta de presentación.
conversation-assigned-title = Nueva conversación
conversation-assigned-body = Se le ha asignado la conversación con { $buyer }.

## Citas

booking-requested-title = Nueva reserva de cita
booking-requested-body = { $buyer } ha reservado una cita para el { $beijing } (hora de Pekín). Asigne a la persona que la atenderá.
booking-confirmed-title = Reunión confirmada
booking-confirmed-body = Queda confirmada la reunión entre { $exhibitor } y { $buyer } prevista para el { $beijing } (hora de Pekín).
booking-cancelled-title = Reunión cancelada
booking-cancelled-body = Se ha cancelado la reunión prevista para el { $beijing } (hora de Pekín).

## Correos electrónicos y SMS sobre una reunión

confirmation-email-subject = Reunión confirmada: { $exhibitor } / { $buyer }
confirmation-email-body = Queda confirmada su reunión entre { $exhibitor } y { $buyer }.

    Fecha y hora: { $local } { $zone }
    Hora de Pekín: { $beijing }

    Enlace para unirse: { $link }
invitation-email-subject = Invitación: reunión { $exhibitor } / { $buyer }
invitation-email-body = Estimado/a { $name }:

    Ha recibido una invitación a la reunión entre { $exhibitor } y { $buyer }.

    Fecha y hora: { $local } { $zone }
    Hora de Pekín: { $beijing }

    Enlace para unirse: { $link }
reminder-email-subject = Recordatorio: su reunión comienza a las { $time }
reminder-email-body = Su reunión entre { $exhibitor } y { $buyer } comienza dentro de 15 minutos.

    Fecha y hora: { $local } { $zone }
    Hora de Pekín: { $beijing }

    Enlace para unirse: { $link }
# Solo caracteres GSM-7: sin tildes fuera de ese alfabeto («Beijing» en lugar de «Pekín»).
reminder-sms = fairlink: cita { $exhibitor } / { $buyer } a las { $time } (hora de Beijing: { $beijing }). Enlace: { $link }

## Países (ISO 3166-1 alfa-2), como mercado al que se envía un producto

country-US = Estados Unidos
country-GB = Reino Unido
country-DE = Alemania
country-FR = Francia
country-ES = España
country-IT = Italia
country-PT = Portugal
country-NL = Países Bajos
country-BE = Bélgica
country-PL = Polonia
country-SE = Suecia
country-RU = Rusia
country-KZ = Kazajistán
country-BY = Bielorrusia
country-UA = Ucrania
country-TR = Turquía
country-SA = Arabia Saudita
country-AE = Emiratos Árabes Unidos
country-EG = Egipto
country-MA = Marruecos
country-DZ = Argelia
country-QA = Catar
country-KW = Kuwait
country-IQ = Irak
country-JO = Jordania
country-NG = Nigeria
country-KE = Kenia
country-ZA = Sudáfrica
country-SN = Senegal
country-GH = Ghana
country-IN = India
country-PK = Pakistán
country-BD = Bangladés
country-ID = Indonesia
country-MY = Malasia
country-SG = Singapur
country-TH = Tailandia
country-VN = Vietnam
country-PH = Filipinas
country-JP = Japón
country-KR = Corea del Sur
country-CN = China
country-HK = Hong Kong
country-TW = Taiwán
country-AU = Australia
country-NZ = Nueva Zelanda
country-CA = Canadá
country-MX = México
country-BR = Brasil
country-AR = Argentina
country-CL = Chile
country-CO = Colombia
country-PE = Perú
