# Textos do fairlink em português (neutro, para o Brasil e Portugal). As horas ($time, $local,
# $beijing) chegam já formatadas para o idioma; $zone traz a sigla e o nome do fuso horário.

## Conta

welcome-title = Boas-vindas ao fairlink
welcome-body = A sua conta já está ativa.

## Solicitações de compra e correspondências

intent-assigned-title = Nova solicitação de compra
intent-assigned-body = A solicitação de compra «{ $intent }» ficou sob a sua responsabilidade.
intent-matched-title = Solicitação de compra compatível
intent-matched-body = A solicitação de compra «{ $intent }» corresponde a um dos seus produtos recomendados (pontuação: { $score }).
recommendation-pushed-title = Produto recomendado
recommendation-pushed-body = «{ $exhibit }» corresponde à sua solicitação de compra «{ $intent }».
push-email-subject = fairlink: { $count ->
        [one] { $count } produto recomendado
       *[other] { $count } produtos recomendados
    } para «{ $intent }»
push-email-intro = Olá, { $name },

    { $count ->
        [one] Este produto corresponde
       *[other] Estes produtos correspondem
    } à sua solicitação de compra «{ $intent }»:
push-email-line = - { $exhibit } ({ $score }): { $reasons }

## Motivos da recomendação

reason-similar-product = Produto semelhante ao que procura
reason-keywords = Corresponde às suas palavras-chave: { $words }
reason-moq = Pedido mínimo: { $moq } { $unit }, dentro da quantidade pretendida ({ $quantity })
reason-price = Preço: { $min }–{ $max } { $currency }, dentro do seu preço-alvo
reason-certifications = Possui certificação { $names }
reason-market = Mercado de destino: { $country }
reason-market-region = Mercado de destino: { $country } ({ $region })

## Unidades de quantidade

unit-pieces = { $count ->
        [one] unidade
       *[other] unidades
    }
unit-sets = { $count ->
        [one] conjunto
       *[other] conjuntos
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
        [one] rolo
       *[other] rolos
    }
unit-cartons = { $count ->
        [one] caixa
       *[other] caixas
    }
unit-containers = { $count ->
        [one] contêiner
       *[other] contêineres
    }

## Cartões de visita e conversas

card-received-title = Cartão de visita recebido
card-received-body = Recebeu um cartão de visita de { $sender }.
conversation-assigned-title = Nova conversa
conversation-assigned-body = A conversa com { $buyer } ficou sob a sua responsabilidade.

## Reservas

booking-requested-title = Nova reserva
booking-requested-body = { $buyer } reservou uma reunião para { $beijing } (hora de Pequim). Indique a pessoa responsável pelo atendimento.
booking-confirmed-title = Reunião confirmada
booking-confirmed-body = A reunião entre { $exhibitor } e { $buyer } marcada para { $beijing } (hora de Pequim) está confirmada.
booking-cancelled-title = Reunião cancelada
booking-cancelled-body = A reunião marcada para { $beijing } (hora de Pequim) foi cancelada.

## E-mails e SMS sobre uma reunião

confirmation-email-subject = Reunião confirmada: { $exhibitor } / { $buyer }
confirmation-email-body = A sua reunião entre { $exhibitor } e { $buyer } está confirmada.

    Data e hora: { $local } { $zone }
    Hora de Pequim: { $beijing }

    Para participar: { $link }
invitation-email-subject = Convite: reunião { $exhibitor } / { $buyer }
invitation-email-body = Olá, { $name },

    Gostaríamos de contar com a sua presença na reunião entre { $exhibitor } e { $buyer }.

    Data e hora: { $local } { $zone }
    Hora de Pequim: { $beijing }

    Para participar: { $link }
reminder-email-subject = Lembrete: a sua reunião começa às { $time }
reminder-email-body = A sua reunião entre { $exhibitor } e { $buyer } começa daqui a 15 minutos.

    Data e hora: { $local } { $zone }
    Hora de Pequim: { $beijing }

    Para participar: { $link }
# Apenas caracteres GSM-7 («à» faz parte; «reunião» e «ç» não, daí «encontro» e «Acesso»).
reminder-sms = fairlink: lembrete do encontro { $exhibitor } / { $buyer } às { $time } (hora de Pequim: { $beijing }). Acesso: { $link }

## Países (ISO 3166-1 alfa-2), como mercado para onde um produto é enviado

country-US = Estados Unidos
country-GB = Reino Unido
country-DE = Alemanha
country-FR = França
country-ES = Espanha
country-IT = Itália
country-PT = Portugal
country-NL = Países Baixos
country-BE = Bélgica
country-PL = Polônia
country-SE = Suécia
country-RU = Rússia
country-KZ = Cazaquistão
country-BY = Bielorrússia
country-UA = Ucrânia
country-TR = Turquia
country-SA = Arábia Saudita
country-AE = Emirados Árabes Unidos
country-EG = Egito
country-MA = Marrocos
country-DZ = Argélia
country-QA = Catar
country-KW = Kuwait
country-IQ = Iraque
country-JO = Jordânia
country-NG = Nigéria
country-KE = Quênia
country-ZA = África do Sul
country-SN = Senegal
country-GH = Gana
country-IN = Índia
country-PK = Paquistão
country-BD = Bangladesh
country-ID = Indonésia
country-MY = Malásia
country-SG = Singapura
country-TH = Tailândia
country-VN = Vietnã
country-PH = Filipinas
country-JP = Japão
country-KR = Coreia do Sul
country-CN = China
country-HK = Hong Kong
country-TW = Taiwan
country-AU = Austrália
country-NZ = Nova Zelândia
country-CA = Canadá
country-MX = México
country-BR = Brasil
country-AR = Argentina
country-CL = Chile
country-CO = Colômbia
country-PE = Peru
